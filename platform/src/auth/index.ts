export { ROLES, ANONYMOUS, isPrincipal, type Role, type Principal } from './principal';
export {
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  verifyInternalAssertion,
  InvalidAssertionError,
  type AssertionClaims,
} from './assertion';
export { requireGatewayAssertion, type GatewayCaller } from './guard';
export {
  createPermissions,
  fieldsWithoutRule,
  isAuthenticated,
  isGateway,
  hasRole,
  hasScope,
  allow,
  and,
  chain,
  deny,
  not,
  or,
  rule,
  type AuthContext,
  type ShieldRule,
  type RuleTypeMap,
} from './rules';
