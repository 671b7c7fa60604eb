import { allow, createPermissions, isAuthenticated, type RuleTypeMap } from '@atrium/platform/auth';

/** Every field has a rule; anything added without one is denied (and fails the rule-coverage test). */
export const rules: RuleTypeMap = {
  // Which providers exist and whether they are up is public, like a status page.
  Query: { modelProviders: allow },
  ModelProvider: allow,
  // Reached through `_entities`, whose reference resolver filters by owner.
  GenerationJob: { id: isAuthenticated },
};

export const permissions = createPermissions(rules);
