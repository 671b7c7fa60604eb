import {
  DEFAULT_DEPRECATION_REASON,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';

/** One public name by its schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `@dir`). */
export interface PublicName {
  coordinate: string;
  description: string | null | undefined;
  /** Set when the name is deprecated; graphql-js fills in "No longer supported" for a bare `@deprecated`. */
  deprecationReason?: string | null;
}

/**
 * Every name an integrator can see by introspection: types, their fields and arguments, input fields, enum values
 * and directives — without the ones GraphQL itself defines (String, `__Schema`, `@skip`…), which it describes.
 */
export function publicNames(schema: GraphQLSchema): PublicName[] {
  const names: PublicName[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    names.push({ coordinate: type.name, description: type.description });
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        names.push({
          coordinate,
          description: field.description,
          deprecationReason: field.deprecationReason,
        });
        for (const arg of field.args) {
          names.push({
            coordinate: `${coordinate}(${arg.name}:)`,
            description: arg.description,
            deprecationReason: arg.deprecationReason,
          });
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        names.push({
          coordinate: `${type.name}.${field.name}`,
          description: field.description,
          deprecationReason: field.deprecationReason,
        });
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        names.push({
          coordinate: `${type.name}.${value.name}`,
          description: value.description,
          deprecationReason: value.deprecationReason,
        });
      }
    }
  }
  for (const directive of schema.getDirectives()) {
    if (isSpecifiedDirective(directive)) continue;
    names.push({ coordinate: `@${directive.name}`, description: directive.description });
    for (const arg of directive.args) {
      names.push({ coordinate: `@${directive.name}(${arg.name}:)`, description: arg.description });
    }
  }
  return names;
}

/** Coordinates of the public names without a (non-blank) description, sorted. */
export function undescribedNames(schema: GraphQLSchema): string[] {
  return publicNames(schema)
    .filter((name) => !name.description?.trim())
    .map((name) => name.coordinate)
    .sort();
}

/** A date in a deprecation reason: the earliest day the name may be removed (see the deprecation policy). */
const REMOVAL_DATE = /\b\d{4}-\d{2}-\d{2}\b/;

/**
 * Deprecated names whose reason does not tell an integrator what to do: a bare `@deprecated` (graphql-js then
 * reports its default "No longer supported"), a blank reason, or one without the earliest removal date.
 */
export function deprecationsWithoutReason(schema: GraphQLSchema): string[] {
  return publicNames(schema)
    .filter(({ deprecationReason: reason }) => {
      if (reason === undefined || reason === null) return false;
      return !reason.trim() || reason === DEFAULT_DEPRECATION_REASON || !REMOVAL_DATE.test(reason);
    })
    .map((name) => `${name.coordinate}: ${JSON.stringify(name.deprecationReason)}`)
    .sort();
}

/** Counts for reports: how much of the public schema is described. */
export function descriptionCoverage(schema: GraphQLSchema): { described: number; total: number } {
  const names = publicNames(schema);
  return { described: names.filter((name) => name.description?.trim()).length, total: names.length };
}
