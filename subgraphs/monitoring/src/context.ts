import type { RuntimeContextInput } from '@atrium/platform/server';
import { createAlertLoader } from './alert/alert.loader';
import type { ProbeTarget } from './status/health-prober';

export interface MonitoringContext extends RuntimeContextInput {
  loaders: { alert: ReturnType<typeof createAlertLoader> };
  probe: { targets: readonly ProbeTarget[]; timeoutMs: number };
}

export function buildContext(
  input: RuntimeContextInput,
  probe: MonitoringContext['probe'],
): MonitoringContext {
  return { ...input, loaders: { alert: createAlertLoader(input.em) }, probe };
}
