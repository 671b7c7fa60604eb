// Lint fixture: imports jobs.ts, which imports this file.
import { MAX_JOBS } from './jobs';

export function remaining(spent: number): number {
  return MAX_JOBS - spent;
}
