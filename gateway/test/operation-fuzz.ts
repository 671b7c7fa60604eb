// Seeded random subscription operations over a schema, and upstream events for their primary fetch (clean ones
// and broken variants), for the differential test of the event shaper (result-shaper.test.ts).
import {
  execute,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  parse,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/** mulberry32: small, seeded, good enough to spread choices. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzOperation {
  text: string;
  /** Variable values to run it with (each a different @skip/@include outcome). */
  variableSets: Record<string, unknown>[];
}

interface Builder {
  random: () => number;
  schema: GraphQLSchema;
  fragments: string[];
  variables: Set<string>;
  aliases: number;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * A random valid-looking subscription on `rootField`: aliases, __typename (aliased too), inline fragments with
 * and without type conditions (on abstract types: on members and interfaces), named fragments, the same field
 * twice (merged), and @skip/@include with literals, required variables and defaulted ones. Validate it before use.
 */
export function randomOperation(schema: GraphQLSchema, rootField: string, seed: number): FuzzOperation {
  const builder: Builder = {
    random: randomSource(seed),
    schema,
    fragments: [],
    variables: new Set(),
    aliases: 0,
  };
  const root = schema.getSubscriptionType()!;
  const field = root.getFields()[rootField]!;
  const selection = `${rootField}${argumentsOf(builder, field.args)}${subSelection(builder, field.type, 0)}`;
  const definitions = [...builder.variables].map((name) =>
    name.startsWith('d') ? `$${name}: Boolean = ${name.endsWith('t')}` : `$${name}: Boolean!`,
  );
  const text = `subscription Fuzz${definitions.length ? `(${definitions.join(', ')})` : ''} { ${selection} }\n${builder.fragments.join('\n')}`;
  const required = [...builder.variables].filter((name) => !name.startsWith('d'));
  const variableSets: Record<string, unknown>[] = [];
  for (let i = 0; i < 3; i++) {
    const values: Record<string, unknown> = {};
    for (const name of required) values[name] = builder.random() < 0.5;
    for (const name of builder.variables)
      if (name.startsWith('d') && builder.random() < 0.3) values[name] = builder.random() < 0.5;
    variableSets.push(values);
  }
  return { text, variableSets };
}

function argumentsOf(builder: Builder, args: readonly GraphQLArgument[]): string {
  const given = args
    .filter((arg) => isNonNullType(arg.type) || builder.random() < 0.3)
    .map((arg) => {
      const literal = literalOf(builder, getNamedType(arg.type));
      return literal === undefined ? undefined : `${arg.name}: ${literal}`;
    })
    .filter((arg): arg is string => arg !== undefined);
  return given.length > 0 ? `(${given.join(', ')})` : '';
}

function literalOf(builder: Builder, type: GraphQLNamedType): string | undefined {
  if (isEnumType(type)) return pick(builder.random, type.getValues()).name;
  if (isInputObjectType(type)) return undefined;
  switch (type.name) {
    case 'Int':
      return '2';
    case 'Float':
      return '1.5';
    case 'Boolean':
      return 'true';
    default:
      return '"1"';
  }
}

function directives(builder: Builder): string {
  const roll = builder.random();
  if (roll > 0.25) return '';
  const name = builder.random() < 0.5 ? 'skip' : 'include';
  const kind = builder.random();
  if (kind < 0.3) return ` @${name}(if: ${builder.random() < 0.5})`;
  // `s0…` required variables, `d0t`/`d0f` ones with a default (true/false).
  const variable =
    kind < 0.7
      ? `s${builder.variables.size}`
      : `d${builder.variables.size}${builder.random() < 0.5 ? 't' : 'f'}`;
  builder.variables.add(variable);
  return ` @${name}(if: $${variable})`;
}

function subSelection(builder: Builder, type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  return ` { ${selectionsOf(builder, named as GraphQLCompositeType, depth + 1).join(' ')} }`;
}

function selectionsOf(builder: Builder, type: GraphQLCompositeType, depth: number): string[] {
  const { random, schema } = builder;
  const out: string[] = [];
  if (random() < 0.3) out.push(random() < 0.5 ? '__typename' : `tn${builder.aliases++}: __typename`);
  if (isAbstractType(type)) {
    const members = schema.getPossibleTypes(type);
    const interfaces = new Set(members.flatMap((member) => member.getInterfaces()));
    const conditions = [...members, ...interfaces];
    if (isInterfaceType(type)) out.push(...fieldSelections(builder, type.getFields(), depth));
    const count = depth > 3 ? 0 : 1 + Math.floor(random() * 2);
    for (let i = 0; i < count; i++) {
      const condition = pick(random, conditions);
      out.push(fragmentOn(builder, condition, depth));
    }
    if (out.length === 0) out.push('__typename');
    return out;
  }
  out.push(...fieldSelections(builder, type.getFields(), depth));
  if (depth <= 3 && random() < 0.25) {
    const interfaces = isObjectType(type) || isInterfaceType(type) ? type.getInterfaces() : [];
    out.push(fragmentOn(builder, pick(random, [type, ...interfaces]), depth));
  }
  if (depth <= 3 && random() < 0.15)
    out.push(
      `...${directives(builder) || ' @include(if: true)'} { ${fieldSelections(builder, type.getFields(), depth).join(' ')} }`,
    );
  return out.length > 0 ? out : ['__typename'];
}

function fragmentOn(builder: Builder, condition: GraphQLCompositeType, depth: number): string {
  const body = depth > 3 ? '__typename' : selectionsOf(builder, condition, depth + 1).join(' ');
  if (builder.random() < 0.4) {
    const name = `F${builder.fragments.length}_${condition.name}`;
    builder.fragments.push(`fragment ${name} on ${condition.name} { ${body} }`);
    return `...${name}${directives(builder)}`;
  }
  return `... on ${condition.name}${directives(builder)} { ${body} }`;
}

function fieldSelections(
  builder: Builder,
  fields: Record<string, GraphQLField<unknown, unknown>>,
  depth: number,
): string[] {
  const { random } = builder;
  const usable = Object.values(fields).filter(
    (field) =>
      (depth < 3 || isLeafType(getNamedType(field.type))) &&
      field.args.every((arg) => !isNonNullType(arg.type) || !isInputObjectType(getNamedType(arg.type))),
  );
  const out: string[] = [];
  // At most three fields per selection set, so operations stay small enough to read in a failure message.
  const chosen = usable.filter(() => random() < 0.5).slice(0, 3);
  for (const field of chosen) {
    const alias = random() < 0.2 ? `a${builder.aliases++}: ` : '';
    const args = argumentsOf(builder, field.args);
    const text = `${alias}${field.name}${args}${directives(builder)}${subSelection(builder, field.type, depth)}`;
    out.push(text);
    // The same response name again with another sub-selection: merged into one output value.
    if (random() < 0.1 && !isLeafType(getNamedType(field.type)))
      out.push(`${alias}${field.name}${args}${subSelection(builder, field.type, depth)}`);
  }
  if (out.length === 0 && usable.length > 0) {
    const field = pick(random, usable);
    out.push(`${field.name}${argumentsOf(builder, field.args)}${subSelection(builder, field.type, depth)}`);
  }
  return out;
}

/**
 * What the owning subgraph would send for `operation` (the plan's primary fetch, written against the subgraph):
 * executed on the supergraph schema with made-up values, abstract types resolved to a random possible type
 * (inaccessible ones included, as a subgraph may return them).
 */
export function cleanEvent(
  supergraphSchema: GraphQLSchema,
  operation: string,
  variables: Record<string, unknown>,
  seed: number,
): Record<string, unknown> {
  const random = randomSource(seed);
  const result = execute({
    schema: supergraphSchema,
    document: parse(operation),
    variableValues: variables,
    rootValue: {},
    fieldResolver: (_source, _args, _context, info) => valueOf(random, info.returnType, info.fieldName),
    typeResolver: (_value, _context, _info, abstractType) =>
      pick(random, supergraphSchema.getPossibleTypes(abstractType)).name,
  }) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  if (result.errors) throw new Error(`the fake subgraph failed: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

function valueOf(random: () => number, type: GraphQLOutputType, fieldName: string): unknown {
  if (!isNonNullType(type) && random() < 0.15) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const length = Math.floor(random() * 3);
    return Array.from({ length }, () => valueOf(random, nullable.ofType, fieldName));
  }
  if (isEnumType(nullable)) return pick(random, nullable.getValues()).value;
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'Int':
        return Math.floor(random() * 100);
      case 'Float':
        return random() < 0.5 ? 2 : 0.25;
      case 'Boolean':
        return random() < 0.5;
      case 'ID':
        return `${fieldName}-${Math.floor(random() * 10)}`;
      case 'String':
        return `${fieldName} text`;
      case 'DateTime':
        return '2026-11-29T22:00:00.000Z';
      default:
        return { any: [1, 'two'] };
    }
  }
  if (isObjectType(nullable) || isAbstractType(nullable)) return {};
  return null;
}

/** Every path in `data` to an object field or list element, for the broken variants. */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      out.push([...prefix, index]);
      out.push(...pathsOf(item, [...prefix, index]));
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push([...prefix, key]);
      out.push(...pathsOf(item, [...prefix, key]));
    }
  }
  return out;
}

const REPLACEMENTS: unknown[] = [
  null,
  'text',
  42,
  1.5,
  -0,
  1e21,
  true,
  {},
  [],
  [null],
  { __typename: 'Nope' },
];
const TYPENAMES: unknown[] = ['Nope', 'Query', 'Subscription', 7, null, ''];

/**
 * Broken and odd variants of a clean event, one change each: a value replaced (null, wrong scalar kinds,
 * objects, lists), a field removed, an extra field, a changed __typename (unknown, a root, every type name given,
 * a non-string), list elements dropped, duplicated or nulled. `random` picks a subset per path.
 */
export function variantsOf(
  data: Record<string, unknown>,
  typeNames: readonly string[],
  random: () => number,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const edit = (path: (string | number)[], change: (parent: any, key: string | number) => void) => {
    const copy = structuredClone(data);
    let parent: any = copy;
    for (const key of path.slice(0, -1)) parent = parent[key];
    change(parent, path[path.length - 1]!);
    out.push(copy);
  };
  for (const path of pathsOf(data)) {
    for (const replacement of REPLACEMENTS) {
      if (random() < 0.3) edit(path, (parent, key) => (parent[key] = structuredClone(replacement)));
    }
    edit(path, (parent, key) => {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    });
    edit(path, (parent, key) => {
      const target = parent[key];
      if (Array.isArray(target)) target.push(structuredClone(target[0] ?? null));
      else if (typeof target === 'object' && target !== null) {
        target.zzExtra = 'must not leak';
        target.constructor = 'own constructor';
      }
    });
    for (const typename of [...TYPENAMES, ...typeNames]) {
      if (random() < 0.2) {
        edit(path, (parent, key) => {
          const target = parent[key];
          if (typeof target === 'object' && target !== null && !Array.isArray(target))
            target.__typename = typename;
        });
      }
    }
  }
  return out;
}
