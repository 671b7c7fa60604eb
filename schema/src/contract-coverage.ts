import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/**
 * The contract names not served yet, one a line: what the lead allowed to land later. The check fails on an
 * unserved name that is not listed and on a listed name that is served, so the list only shrinks.
 */
export const CONTRACT_PENDING_FILE = 'contract-pending.txt';

/**
 * Every name the contract promises: each type (`User`), field (`User.email`), argument (`Query.user(id)`),
 * enum value (`Role.ADMIN`), input field and union member (`SignInResult|AuthPayload`).
 */
export function contractNames(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isBuiltInScalar(type)) continue;
    names.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        names.add(`${type.name}.${field.name}`);
        for (const arg of field.args) names.add(`${type.name}.${field.name}(${arg.name})`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) names.add(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) names.add(`${type.name}.${value.name}`);
    } else if (isUnionType(type)) {
      for (const member of type.getTypes()) names.add(`${type.name}|${member.name}`);
    }
  }
  return names;
}

function isBuiltInScalar(type: GraphQLNamedType): boolean {
  return ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name);
}

/** The contract's names that the public API does not serve, sorted. */
export function unservedNames(contractSdl: string, publicSdl: string): string[] {
  const promised = contractNames(buildSchema(withFederationStubs(contractSdl)));
  const served = contractNames(buildSchema(publicSdl));
  return [...promised].filter((name) => !served.has(name)).sort();
}

/** The contract uses `@key`; declare it so the contract parses as a plain schema. */
export function withFederationStubs(sdl: string): string {
  return `directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE\n${sdl}`;
}
