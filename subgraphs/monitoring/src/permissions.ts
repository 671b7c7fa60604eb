import { and, createPermissions, hasRole, hasScope, type RuleTypeMap } from '@atrium/platform/auth';

// An ADMIN's API key reads monitoring only when it was given the monitoring:read scope.
const admin = and(hasRole('ADMIN'), hasScope('monitoring:read'));

/** Every field has a rule; anything added without one is denied (and fails the rule-coverage test). */
export const rules: RuleTypeMap = {
  Query: { systemStatus: admin },
  SystemStatus: admin,
  ServiceHealth: admin,
  DependencyHealth: admin,
  Alert: { id: admin },
};

export const permissions = createPermissions(rules);
