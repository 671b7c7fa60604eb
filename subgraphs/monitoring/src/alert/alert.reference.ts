import type { MonitoringContext } from '../context';
import type { Alert } from './alert.entity';

/** `_entities` for Alert: ADMIN only (shield checks the role on its fields), null for unknown ids. */
export function resolveAlertReference(
  reference: { id: string },
  ctx: MonitoringContext,
): Promise<Alert | null> {
  return ctx.loaders.alert.load(reference.id);
}
