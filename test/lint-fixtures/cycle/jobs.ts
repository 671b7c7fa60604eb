// Lint fixture (ignored by `pnpm lint`, linted by test/lint/no-cycle.test.ts): jobs.ts ↔ budget.ts is a cycle.
import { remaining } from './budget';

export const MAX_JOBS = 3;

export function canStart(spent: number): boolean {
  return remaining(spent) > 0;
}
