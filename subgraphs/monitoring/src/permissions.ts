import { and, createPermissions, hasRole, hasScope, type RuleTypeMap } from '@atrium/platform/auth';

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
