import {
  and,
  createPermissions,
  hasRole,
  hasScope,
  type Principal,
  type RuleTypeMap,
} from '@atrium/platform/auth';
import { monitoringErrors } from './errors';

const isAdmin = hasRole('ADMIN');
// An ADMIN's API key reads monitoring only when it was given the monitoring:read scope.
const admin = and(isAdmin, hasScope('monitoring:read'));
// No scope grants monitoring writes to an API key: acknowledging is for a signed-in ADMIN.
const adminWrite = and(isAdmin, hasScope('monitoring:write'));

/** Every field has a rule; anything added without one is denied (and fails the rule-coverage test). */
export const rules: RuleTypeMap = {
  Query: { systemStatus: admin, alerts: admin },
  Mutation: { acknowledgeAlert: adminWrite },
  Subscription: { systemStatusChanged: admin, alertsChanged: admin },
  SystemStatus: admin,
  ServiceHealth: admin,
  DependencyHealth: admin,
  CircuitBreaker: admin,
  QueueStats: admin,
  Alert: admin,
};

export const permissions = createPermissions(rules);

/**
 * The `admin` rule for a subscription's subscribe step, which shield does not guard: it checks each event as it is
 * resolved, so a refused subscriber would wait for the first event (forever, for `alertsChanged`) and stay
 * subscribed. Thrown here, the refusal is the only answer and the operation completes.
 */
export function assertMonitoringReader(principal: Principal): void {
  if (principal.kind === 'anonymous') throw monitoringErrors.UNAUTHENTICATED('You must be signed in');
  if (!principal.roles.includes('ADMIN')) throw monitoringErrors.FORBIDDEN('Requires role ADMIN');
  if (principal.kind === 'apiKey' && !principal.scopes.includes('monitoring:read'))
    throw monitoringErrors.FORBIDDEN('This API key lacks the scope monitoring:read');
}
