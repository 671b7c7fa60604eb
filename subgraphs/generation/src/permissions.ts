import {
  allow,
  and,
  createPermissions,
  hasRole,
  hasScope,
  isAuthenticated,
  type RuleTypeMap,
} from '@atrium/platform/auth';

/** API keys need these scopes; signed-in users are governed by their roles. */
export const GENERATION_READ_SCOPE = 'generation:read';
export const GENERATION_WRITE_SCOPE = 'generation:write';

const canRead = and(isAuthenticated, hasScope(GENERATION_READ_SCOPE));
// VIEWERs read their own jobs but do not spend on new ones.
const canWrite = and(isAuthenticated, hasRole('MEMBER', 'ADMIN'), hasScope(GENERATION_WRITE_SCOPE));

/**
 * Every field has a rule; anything added without one is denied (and fails the rule-coverage test). Object-level
 * checks (owner or ADMIN) live in the resolvers and the reference resolver, which every path to a job goes
 * through — root fields, `_entities`, `User.generationJobs` and subscriptions.
 */
export const rules: RuleTypeMap = {
  // Which providers exist and whether they are up is public, like a status page.
  Query: { modelProviders: allow, generationJob: canRead, generationJobs: canRead },
  Mutation: { generate: canWrite, cancelGeneration: canWrite, retryGeneration: canWrite },
  Subscription: { generationJobUpdated: canRead, myGenerationEvents: canRead },
  ModelProvider: allow,
  GenerationJob: isAuthenticated,
  GenerationEvent: allow,
  GenerationJobConnection: allow,
  GenerationJobEdge: allow,
  PageInfo: allow,
  TokenUsage: allow,
  JobError: allow,
  User: { id: allow, generationJobs: canRead },
};

export const permissions = createPermissions(rules);
