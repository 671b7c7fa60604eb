import {
  allow,
  and,
  createPermissions,
  hasRole,
  hasScope,
  isAuthenticated,
  type Principal,
  type RuleTypeMap,
} from '@atrium/platform/auth';
import { errors } from './errors';

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

/**
 * The `canRead` rule, checked when a subscription starts. graphql-shield guards a field's `resolve`, which a
 * subscription runs per event: without this, a refused subscriber would get FORBIDDEN on every event (and on
 * `myGenerationEvents` nothing at all until its first event) while its stream stayed open. Refused here, the
 * client gets one error and the operation ends before any event.
 */
export function assertGenerationReader(principal: Principal): void {
  if (principal.kind === 'anonymous') throw errors.UNAUTHENTICATED('You must be signed in');
  if (principal.kind === 'apiKey' && !principal.scopes.includes(GENERATION_READ_SCOPE))
    throw errors.FORBIDDEN(`This API key lacks the scope ${GENERATION_READ_SCOPE}`);
}
