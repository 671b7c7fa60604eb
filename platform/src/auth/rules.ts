import type { GraphQLSchema } from 'graphql';
import { isObjectType } from 'graphql';
import { allow, and, chain, deny, not, or, rule, shield } from 'graphql-shield';
import { errors } from '../errors';
import type { Principal, Role } from './principal';

/** What every rule may read from a subgraph's GraphQL context. */
export interface AuthContext {
  principal: Principal;
  /** True only when the request carried a valid gateway assertion. */
  fromGateway: boolean;
}

// graphql-shield exports only some of its types; these are the shapes its rule tree accepts.
export type ShieldRule = Parameters<typeof and>[number];
export type RuleFieldMap = Record<string, ShieldRule>;
export type RuleTypeMap = Record<string, ShieldRule | RuleFieldMap>;

// Owner checks depend on the parent object, so no rule here shares a cache across fields or requests.
const noCache = { cache: 'no_cache' as const };

export const isAuthenticated: ShieldRule = rule(noCache)((_parent, _args, ctx: AuthContext) =>
  ctx.principal.kind !== 'anonymous' && ctx.principal.userId !== null
    ? true
    : errors.UNAUTHENTICATED('You must be signed in'),
);

export const isGateway: ShieldRule = rule(noCache)(
  (_parent, _args, ctx: AuthContext) => ctx.fromGateway === true,
);

/** Passes when the principal holds any of the roles. */
export function hasRole(...roles: Role[]): ShieldRule {
  return rule(
    `hasRole(${roles.join(',')})`,
    noCache,
  )((_parent, _args, ctx: AuthContext) => {
    if (ctx.principal.kind === 'anonymous') return errors.UNAUTHENTICATED('You must be signed in');
    return ctx.principal.roles.some((role) => roles.includes(role))
      ? true
      : errors.FORBIDDEN(`Requires role ${roles.join(' or ')}`);
  });
}

/**
 * API keys act only within the scopes they were given; signed-in users are governed by their roles, so the
 * rule passes for them. Combine with `hasRole` to bound both.
 */
export function hasScope(scope: string): ShieldRule {
  return rule(
    `hasScope(${scope})`,
    noCache,
  )((_parent, _args, ctx: AuthContext) => {
    if (ctx.principal.kind !== 'apiKey') return true;
    return ctx.principal.scopes.includes(scope)
      ? true
      : errors.FORBIDDEN(`This API key lacks the scope ${scope}`);
  });
}

/** The federation plumbing is for the gateway only; its assertion is required to read it. */
const federationRules: RuleTypeMap = {
  Query: { _service: isGateway, _entities: isGateway },
  _Service: { sdl: isGateway },
};

/**
 * graphql-shield with Atrium's defaults: deny whatever has no rule, let coded domain errors through
 * (`allowExternalErrors`), and answer a refused field with FORBIDDEN. Pass the schema when it may lack
 * federation fields (a subgraph without entities has no `_entities`), since shield refuses rules for absent fields.
 */
export function createPermissions(rules: RuleTypeMap, options: { schema?: GraphQLSchema } = {}) {
  return shield(mergeRuleMaps(rules, federationRulesFor(options.schema)), {
    fallbackRule: deny,
    allowExternalErrors: true,
    debug: false,
    fallbackError: () => errors.FORBIDDEN('Not authorised'),
  });
}

function federationRulesFor(schema: GraphQLSchema | undefined): RuleTypeMap {
  if (!schema) return federationRules;
  const present: RuleTypeMap = {};
  for (const [typeName, fields] of Object.entries(federationRules)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const existing = type.getFields();
    present[typeName] = Object.fromEntries(Object.entries(fields).filter(([field]) => field in existing));
  }
  return present;
}

function mergeRuleMaps(a: RuleTypeMap, b: RuleTypeMap): RuleTypeMap {
  const merged: RuleTypeMap = { ...a };
  for (const [type, fields] of Object.entries(b)) {
    merged[type] = { ...(a[type] as RuleFieldMap | undefined), ...(fields as RuleFieldMap) };
  }
  return merged;
}

/**
 * Every `Type.field` of the schema that has no rule of its own (and no type-wide rule). A test per subgraph
 * asserts this list is empty, so a new field cannot ship relying on the fallback by accident.
 */
export function fieldsWithoutRule(schema: GraphQLSchema, rules: RuleTypeMap): string[] {
  const map = rules;
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRules = map[type.name];
    if (typeRules !== undefined && !isFieldMap(typeRules)) continue;
    for (const field of Object.keys(type.getFields())) {
      if (!typeRules?.[field] && !federationRules[type.name]?.[field as never])
        missing.push(`${type.name}.${field}`);
    }
  }
  return missing;
}

function isFieldMap(value: ShieldRule | RuleFieldMap): value is RuleFieldMap {
  return typeof (value as ShieldRule).resolve !== 'function';
}

export { allow, and, chain, deny, not, or, rule };
