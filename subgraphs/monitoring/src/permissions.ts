import { createPermissions, hasRole, type RuleTypeMap } from '@atrium/platform/auth';

const admin = hasRole('ADMIN');

/** Every field has a rule; anything added without one is denied (and fails the rule-coverage test). */
export const rules: RuleTypeMap = {
  Query: { systemStatus: admin },
  SystemStatus: admin,
  ServiceHealth: admin,
  DependencyHealth: admin,
  Alert: { id: admin },
};

export const permissions = createPermissions(rules);
