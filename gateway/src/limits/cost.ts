import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isLeafType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

export interface CostOptions {
  /** Items a list field without `first`/`last` is assumed to return. */
  defaultListSize: number;
  /** `first`/`last` are clamped to this, as the subgraphs clamp them; also the guess for an unknown value. */
  maxPageSize: number;
}

type Variables = Readonly<Record<string, unknown>> | null | undefined;

// Inside a connection whose size came from `first`/`last`, its `edges`/`nodes` lists are that size already.
const CONNECTION_LISTS = new Set(['edges', 'nodes']);
const SLICING_ARGUMENTS = ['first', 'last'] as const;

/**
 * What an operation may cost the subgraphs, computed once the variables are known (graphql-armor's cost rule
 * runs during validation and sees neither variables nor argument defaults, so `first: $n` would cost as 1).
 *
 * Every object (composite) field costs 1 and leaves cost nothing; a list multiplies its subtree by its size:
 * `first`/`last` (from literals, variables or schema defaults, clamped to `maxPageSize`), else `defaultListSize`.
 * A connection sized by `first` counts its `edges`/`nodes` once. `@skip`/`@include` are ignored (an upper
 * bound), and each fragment is costed once per context, so fragment fan-out cannot make this exponential.
 * Introspection fields cost nothing here: they have their own depth rule and rate limit.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Variables,
  options: CostOptions,
): number {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, {
    maxErrors: 1,
  });
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walker = new CostWalker(
    schema,
    fragments,
    'coerced' in coerced ? coerced.coerced : undefined,
    options,
  );
  return walker.selectionSet(operation.selectionSet, root, false, new Set());
}

class CostWalker {
  private readonly fragmentCosts = new Map<string, number>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    /** undefined when the variables do not coerce: every variable-sized page then counts as the largest. */
    private readonly variables: Record<string, unknown> | undefined,
    private readonly options: CostOptions,
  ) {}

  selectionSet(
    set: SelectionSetNode,
    type: GraphQLNamedType,
    sliced: boolean,
    visiting: Set<string>,
  ): number {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        cost += this.field(selection, type, sliced, visiting);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition && this.schema.getType(selection.typeCondition.name.value);
        cost += this.selectionSet(selection.selectionSet, condition ?? type, sliced, visiting);
      } else {
        cost += this.fragment(selection.name.value, sliced, visiting);
      }
    }
    return cost;
  }

  private fragment(name: string, sliced: boolean, visiting: Set<string>): number {
    const key = `${name}:${sliced}`;
    const known = this.fragmentCosts.get(key);
    if (known !== undefined) return known;
    const fragment = this.fragments.get(name);
    // A cycle is a validation error already; counting it once keeps this total.
    if (!fragment || visiting.has(name)) return 0;
    const type = this.schema.getType(fragment.typeCondition.name.value);
    if (!type) return 0;
    visiting.add(name);
    const cost = this.selectionSet(fragment.selectionSet, type, sliced, visiting);
    visiting.delete(name);
    this.fragmentCosts.set(key, cost);
    return cost;
  }

  private field(node: FieldNode, parent: GraphQLNamedType, sliced: boolean, visiting: Set<string>): number {
    if (node.name.value.startsWith('__')) return 0;
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
    const definition = parent.getFields()[node.name.value];
    if (!definition) return 0;
    const named = getNamedType(definition.type);
    if (isLeafType(named) || !node.selectionSet) return 0;
    const page = this.pageSize(definition, node);
    const isList = isListType(getNullableType(definition.type));
    let multiplier = 1;
    if (page !== undefined) multiplier = page;
    else if (isList && !(sliced && CONNECTION_LISTS.has(node.name.value)))
      multiplier = this.options.defaultListSize;
    const children = this.selectionSet(node.selectionSet, named, page !== undefined, visiting);
    return multiplier * (1 + children);
  }

  /** The page size asked for with `first`/`last`, or undefined when the field takes neither. */
  private pageSize(definition: GraphQLField<unknown, unknown>, node: FieldNode): number | undefined {
    const slicing = definition.args.filter((arg) =>
      (SLICING_ARGUMENTS as readonly string[]).includes(arg.name),
    );
    if (slicing.length === 0) return undefined;
    let values: Record<string, unknown> | undefined;
    try {
      values = this.variables === undefined ? undefined : getArgumentValues(definition, node, this.variables);
    } catch {
      values = undefined;
    }
    const { maxPageSize } = this.options;
    if (values === undefined) return maxPageSize;
    const sizes = slicing.map((arg) => values[arg.name]).filter((v): v is number => typeof v === 'number');
    // Neither given nor defaulted: the subgraph decides, at most maxPageSize.
    if (sizes.length === 0) return maxPageSize;
    return Math.min(maxPageSize, Math.max(0, ...sizes));
  }
}
