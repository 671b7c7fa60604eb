import { allow, createPermissions, isAuthenticated, type RuleTypeMap } from '@atrium/platform/auth';

/** Every field has a rule; anything added without one is denied (and fails the rule-coverage test). */
export const rules: RuleTypeMap = {
  // The catalogue is public: integrators and signed-out pages list what Atrium can connect to.
  Query: { integrationProviders: allow },
  IntegrationProvider: allow,
  // Reached only through `_entities`, whose reference resolver already filters by owner.
  Connection: { id: isAuthenticated },
};

export const permissions = createPermissions(rules);
