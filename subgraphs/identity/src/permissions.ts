import { createPermissions, isAuthenticated, type RuleTypeMap } from '@atrium/platform/auth';

/** Every field has a rule; anything added without one is denied (and fails the rule-coverage test). */
export const rules: RuleTypeMap = {
  // Reached through `_entities`, whose reference resolver returns only the caller's own user (or any for ADMIN).
  User: { id: isAuthenticated },
};

export const permissions = createPermissions(rules);
