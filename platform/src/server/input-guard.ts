import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { defineErrorCodes, errors } from '../errors';

export const inputGuardErrors = defineErrorCodes({
  TOO_MANY_REPRESENTATIONS: {
    description:
      'An `_entities` request carried more representations than the service accepts per request (MAX_ENTITY_REPRESENTATIONS).',
    httpStatus: 400,
  },
});

/** Default of MAX_ENTITY_REPRESENTATIONS: entity references one request may ask a subgraph to resolve. */
export const DEFAULT_MAX_REPRESENTATIONS = 500;

// NUL and the other C0 controls but tab, newline and carriage return, DEL and the C1 controls: no text a person
// writes holds them, and PostgreSQL refuses NUL in text outright (a 500 if it got that far).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
// A UTF-16 half without its other half is not text; databases and JSON encoders disagree about what to do with it.
const LONE_SURROGATE = /\p{Surrogate}/u;
// Bidirectional controls reorder what a reader sees (a name displayed as "gpj.exe" that is "exe.jpg"), so they
// are refused where text names or labels something; line breaks and tabs have no place there either.
const BIDI_OR_BREAK = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\t\n\r]/u;
const NAME_LIKE = /(?:^|[a-z_])(?:name|label|title)$/i;

/**
 * The problem with one string input, or undefined. `field` is the argument or input field it was given for:
 * names and labels are held to the stricter rule.
 */
export function textProblem(value: string, field: string): string | undefined {
  if (LONE_SURROGATE.test(value)) return 'contains invalid Unicode (a lone surrogate)';
  if (CONTROL.test(value)) return 'contains a control character';
  if (NAME_LIKE.test(field) && BIDI_OR_BREAK.test(value))
    return 'contains a bidirectional control or line break, which names and labels may not';
  return undefined;
}

/**
 * Every string input of an operation — literals in the document and variable values, at any depth of input
 * objects and lists — checked once, before any resolver runs: BAD_USER_INPUT naming the first offending field
 * (`argument.inputField[index]`). Also counts `_entities` representations against `maxRepresentations`.
 */
export function checkOperationInput(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  options: { maxRepresentations: number },
): GraphQLError | undefined {
  let found: GraphQLError | undefined;
  let representations = 0;
  const usedAs = new Map<string, string>();
  const report = (path: string, field: string, value: string) => {
    const problem = textProblem(value, field);
    if (problem && !found)
      found = errors.BAD_USER_INPUT(`Invalid value for ${path}: it ${problem}.`, { field: path });
  };
  const walkLiteral = (node: ValueNode, path: string, field: string): void => {
    if (node.kind === Kind.STRING) report(path, field, node.value);
    else if (node.kind === Kind.LIST)
      node.values.forEach((item, i) => walkLiteral(item, `${path}[${i}]`, field));
    else if (node.kind === Kind.OBJECT)
      for (const item of node.fields) walkLiteral(item.value, `${path}.${item.name.value}`, item.name.value);
    else if (node.kind === Kind.VARIABLE && !usedAs.has(node.name.value)) usedAs.set(node.name.value, path);
  };
  // Fragments too: an argument inside a fragment is as much an input as one in the operation.
  visit(document, {
    Field(field) {
      for (const argument of field.arguments ?? []) {
        const path = `${field.name.value}(${argument.name.value})`;
        walkLiteral(argument.value, path, argument.name.value);
        if (field.name.value === '_entities' && argument.name.value === 'representations')
          representations += countOf(argument.value, variables);
      }
    },
    Directive(directive) {
      for (const argument of directive.arguments ?? [])
        walkLiteral(argument.value, `@${directive.name.value}(${argument.name.value})`, argument.name.value);
    },
  });
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const usedPath = usedAs.get(name);
    const field = usedPath ? lastField(usedPath) : name;
    walkValue(variables?.[name], usedPath ?? `$${name}`, field, report);
  }
  if (found) return found;
  if (representations > options.maxRepresentations)
    return inputGuardErrors.TOO_MANY_REPRESENTATIONS(
      `At most ${options.maxRepresentations} entity representations per request; this one has ${representations}.`,
      { maxRepresentations: options.maxRepresentations },
    );
  return undefined;
}

function walkValue(
  value: unknown,
  path: string,
  field: string,
  report: (path: string, field: string, value: string) => void,
): void {
  if (typeof value === 'string') report(path, field, value);
  else if (Array.isArray(value)) value.forEach((item, i) => walkValue(item, `${path}[${i}]`, field, report));
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) {
      // Keys are input too (a JSON scalar's), and as much a way in for NUL.
      report(`${path}.${key}`, key, key);
      walkValue(item, `${path}.${key}`, key, report);
    }
}

function countOf(node: ValueNode, variables: Readonly<Record<string, unknown>> | undefined): number {
  if (node.kind === Kind.LIST) return node.values.length;
  if (node.kind === Kind.VARIABLE) {
    const value = variables?.[node.name.value];
    return Array.isArray(value) ? value.length : 1;
  }
  return 1;
}

function lastField(path: string): string {
  const match = /(?:\.|\()([A-Za-z_][A-Za-z0-9_]*)\)?(?:\[\d+\])*$/.exec(path);
  return match?.[1] ?? path;
}

/**
 * The Apollo Server plugin applying `checkOperationInput` to every operation once it is resolved, so no
 * resolver (and no database) ever sees unchecked text. Refusals are HTTP 400.
 */
export function inputGuardPlugin(options: { maxRepresentations: number }): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const problem = checkOperationInput(document, operation, request.variables, options);
          if (problem) throw withStatus400(problem);
        },
      };
    },
  };
}

function withStatus400(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, http: { status: 400, headers: new HeaderMap() } },
    originalError: error,
  });
}
