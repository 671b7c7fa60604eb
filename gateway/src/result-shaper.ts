import {
  isCompositeType,
  isCustomScalarType,
  isListType,
  isNonNullType,
  isObjectType,
  isEnumType,
  isSubtype,
  typenameFieldName,
  Variable,
  type CompositeType,
  type EnumType,
  type Operation,
  type OperationElement,
  type OutputType,
  type Schema,
  type ScalarType,
  type SelectionSet,
} from '@apollo/federation-internals';
import { setResultShaperCompiler } from '@apollo/gateway/dist/executeQueryPlan';

type LeafType = ScalarType | EnumType;

/**
 * Shapes the data of an operation into what the client selected. It is @apollo/gateway's own result shaping
 * (resultShaping.ts `computeResponse`) specialised once per operation: the same selections of the same federation
 * `Operation`, visited in the same order with the same rules (aliases, merged fields, fragments and their type
 * conditions, `__typename`, @skip/@include, leaf validation), without computeResponse's generic walk, which reads
 * directives and allocates an argument and a result object at every field (27 % of the gateway's allocations on
 * the compare bench's query before it was used there).
 *
 * Two users: every query and mutation, where executeQueryPlan (patched, patches/@apollo__gateway@2.14.4.patch)
 * calls it instead of computeResponse once the subgraphs' data is merged (registered by `useResultShaper`), and
 * each event of a subscription whose plan has no `rest`, which it shapes without running executeQueryPlan at all.
 *
 * It only ever answers where `computeResponse` finds nothing wrong. Whenever `computeResponse` would record an
 * error, bubble a null up, or fail an assertion (a null in a non-null field, an invalid leaf or `__typename`, a
 * non-list for a list, a non-boolean condition variable…), it returns `undefined` and computeResponse runs, so
 * those cases keep exactly the gateway's behaviour. Differential tests hold the two paths equal
 * (gateway/test/result-shaper.test.ts for events, gateway/test/query-shaping.test.ts through the gateway).
 */
export type ResultShaper = (
  data: unknown,
  variables: Readonly<Record<string, unknown>>,
) => Record<string, unknown> | undefined;

/** `computeResponse` would not answer with plain data: the caller must take the executeQueryPlan path. */
const INVALID: unique symbol = Symbol('invalid');
type Invalid = typeof INVALID;

/** A @skip or @include condition: a literal, or the name of the variable holding it. */
type Condition = boolean | string;

interface Conditions {
  skip: Condition | undefined;
  include: Condition | undefined;
}

/** A field's type, unwrapped once; `selected`: whether the field has a selection set (a composite inside). */
type Shape = { selected: boolean } & (
  | { kind: 'nonNull'; of: Shape }
  | { kind: 'list'; of: Shape }
  | { kind: 'composite'; type: CompositeType; selections: CompiledSelection[] }
  | { kind: 'leaf'; valid: (value: unknown) => boolean }
);

type CompiledSelection =
  | (Conditions & { kind: 'typename'; responseName: string })
  | (Conditions & { kind: 'field'; responseName: string; shape: Shape })
  | (Conditions & {
      kind: 'fragment';
      typeCondition: CompositeType | undefined;
      selections: CompiledSelection[];
      /** isSubtype(typeCondition, type) per type name of the schema (memoised: types are fixed per schema). */
      applies: Map<string, boolean>;
    });

/** Names an output object cannot take as a plain property (`{}` would read or set its prototype's). */
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

class NotCompilable extends Error {}

/**
 * The shaper of `operation` (built from the API schema exactly as executeQueryPlan builds it), or undefined
 * when the operation uses something it does not cover (introspection fields, a response name that is a property
 * of Object.prototype): computeResponse shapes those (and subscription events go through executeQueryPlan).
 */
export function compileResultShaper(operation: Operation): ResultShaper | undefined {
  const schema = operation.schema();
  const root = schema.schemaDefinition.rootType(operation.rootKind);
  if (!root) return undefined;
  let selections: CompiledSelection[];
  try {
    selections = compileSelectionSet(schema, operation.selectionSet, new Map());
  } catch (error) {
    if (error instanceof NotCompilable) return undefined;
    throw error;
  }
  const defaults = operation.collectDefaultedVariableValues();
  const context: ShapeContext = { schema, variables: {}, defaults };
  return (data, variables) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
    context.variables = variables;
    const output: Record<string, unknown> = {};
    const result = applySelections(context, data as Record<string, unknown>, selections, output, root);
    context.variables = {};
    return result === INVALID ? undefined : output;
  };
}

function compileSelectionSet(
  schema: Schema,
  set: SelectionSet,
  compiled: Map<SelectionSet, CompiledSelection[]>,
): CompiledSelection[] {
  // Named fragments share one SelectionSet per definition: compile each once.
  const known = compiled.get(set);
  if (known) return known;
  const out: CompiledSelection[] = [];
  compiled.set(set, out);
  for (const selection of set.selections()) {
    const conditions = conditionsOf(schema, selection.element);
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      const responseName = field.responseName();
      if (PROTOTYPE_NAMES.has(responseName)) throw new NotCompilable();
      if (field.definition.isSchemaIntrospectionField()) throw new NotCompilable();
      if (field.name === typenameFieldName) {
        out.push({ kind: 'typename', responseName, ...conditions });
        continue;
      }
      const type = field.definition.type;
      if (!type) throw new NotCompilable();
      out.push({
        kind: 'field',
        responseName,
        shape: compileShape(schema, type, selection.selectionSet, compiled),
        ...conditions,
      });
    } else {
      const fragment = selection.element;
      out.push({
        kind: 'fragment',
        typeCondition: fragment.typeCondition,
        selections: compileSelectionSet(schema, selection.selectionSet, compiled),
        applies: new Map(),
        ...conditions,
      });
    }
  }
  return out;
}

function compileShape(
  schema: Schema,
  type: OutputType,
  selectionSet: SelectionSet | undefined,
  compiled: Map<SelectionSet, CompiledSelection[]>,
): Shape {
  const selected = selectionSet !== undefined;
  if (isNonNullType(type)) {
    return { selected, kind: 'nonNull', of: compileShape(schema, type.ofType, selectionSet, compiled) };
  }
  if (isListType(type)) {
    return { selected, kind: 'list', of: compileShape(schema, type.ofType, selectionSet, compiled) };
  }
  if (isCompositeType(type)) {
    // computeResponse asserts a selection set here; an operation without one is not ours to shape.
    if (!selectionSet) throw new NotCompilable();
    return {
      selected,
      kind: 'composite',
      type,
      selections: compileSelectionSet(schema, selectionSet, compiled),
    };
  }
  // computeResponse would let a selection set on a leaf through untouched; validation never lets one here.
  if (selected) throw new NotCompilable();
  return { selected, kind: 'leaf', valid: leafCheck(schema, type) };
}

/** Exactly the directives computeResponse's `shouldSkip` reads: the first @skip and the first @include. */
function conditionsOf(schema: Schema, element: OperationElement): Conditions {
  const condition = (directive: { arguments(): { if?: unknown } } | undefined): Condition | undefined => {
    if (!directive) return undefined;
    const value = directive.arguments().if;
    if (value instanceof Variable) return value.name;
    if (typeof value === 'boolean') return value;
    throw new NotCompilable();
  };
  return {
    skip: condition(element.appliedDirectivesOf(schema.skipDirective())[0]),
    include: condition(element.appliedDirectivesOf(schema.includeDirective())[0]),
  };
}

const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * federation-internals' `isValidLeafValue(schema, value, type)` for one type, decided once: which kinds of values
 * it accepts depends only on which type it is (custom scalar, enum, or one of the built-in scalars).
 */
function leafCheck(schema: Schema, type: LeafType): (value: unknown) => boolean {
  if (isCustomScalarType(type)) return () => true;
  if (isEnumType(type)) {
    const values = new Set(type.values.map((value) => value.name));
    return (value) => typeof value === 'string' && values.has(value);
  }
  if (type === schema.booleanType()) return (value) => typeof value === 'boolean';
  if (type === schema.floatType()) return (value) => typeof value === 'number' && isFinite(value);
  if (type === schema.intType()) {
    return (value) => typeof value === 'number' && isFinite(value) && INTEGER.test(String(value));
  }
  if (type === schema.idType()) {
    return (value) =>
      typeof value === 'string' ||
      (typeof value === 'number' && isFinite(value) && INTEGER.test(String(value)));
  }
  // String, and any other built-in scalar: strings only.
  return (value) => typeof value === 'string';
}

interface ShapeContext {
  schema: Schema;
  variables: Readonly<Record<string, unknown>>;
  defaults: Readonly<Record<string, unknown>>;
}

/** computeResponse's `ifValue`: a variable must hold a boolean (it asserts so); INVALID otherwise. */
function conditionValue(context: ShapeContext, condition: Condition): boolean | Invalid {
  if (typeof condition === 'boolean') return condition;
  const { variables } = context;
  const value = Object.hasOwn(variables, condition) ? variables[condition] : context.defaults[condition];
  return typeof value === 'boolean' ? value : INVALID;
}

/** computeResponse's `shouldSkip`, with its short-circuit order. */
function skipped(context: ShapeContext, selection: Conditions): boolean | Invalid {
  if (selection.skip !== undefined) {
    const skip = conditionValue(context, selection.skip);
    if (skip !== false) return skip;
  }
  if (selection.include !== undefined) {
    const include = conditionValue(context, selection.include);
    if (include === INVALID) return INVALID;
    return !include;
  }
  return false;
}

function ownValue(input: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(input, name) ? input[name] : undefined;
}

/** computeResponse's `applySelectionSet` where nothing bubbles up: INVALID wherever it would. */
function applySelections(
  context: ShapeContext,
  input: Record<string, unknown>,
  selections: CompiledSelection[],
  output: Record<string, unknown>,
  parentType: CompositeType,
): void | Invalid {
  for (const selection of selections) {
    const skip = skipped(context, selection);
    if (skip === INVALID) return INVALID;
    if (skip) continue;
    if (selection.kind === 'typename') {
      const { responseName } = selection;
      if (output[responseName] !== undefined) continue;
      let value = ownValue(input, responseName) ?? null;
      if (value === null && responseName !== typenameFieldName) value = input[typenameFieldName] ?? null;
      const type = typeof value === 'string' ? (context.schema.type(value) ?? parentType) : parentType;
      // computeResponse nulls the whole object here (a null that bubbles up).
      if (!isObjectType(type)) return INVALID;
      output[responseName] = type.name;
    } else if (selection.kind === 'field') {
      const { responseName } = selection;
      const value = updateValue(
        context,
        output[responseName],
        selection.shape,
        ownValue(input, responseName) ?? null,
        parentType,
      );
      if (value === INVALID) return INVALID;
      output[responseName] = value;
    } else {
      const typename = input[typenameFieldName];
      if (typename && typeof typename !== 'string') return INVALID;
      if (typeConditionApplies(context.schema, selection, typename as string | undefined, parentType)) {
        const nested = applySelections(
          context,
          input,
          selection.selections,
          output,
          selection.typeCondition ?? parentType,
        );
        if (nested === INVALID) return INVALID;
      }
    }
  }
}

function typeConditionApplies(
  schema: Schema,
  fragment: Extract<CompiledSelection, { kind: 'fragment' }>,
  typename: string | undefined,
  parentType: CompositeType,
): boolean {
  const condition = fragment.typeCondition;
  if (!condition) return true;
  const type = typename ? schema.type(typename) : parentType;
  if (!type) return false;
  let applies = fragment.applies.get(type.name);
  if (applies === undefined) {
    applies = isSubtype(condition, type);
    fragment.applies.set(type.name, applies);
  }
  return applies;
}

/** computeResponse's `updateOutputValue` where the value is valid; INVALID wherever it is not. */
function updateValue(
  context: ShapeContext,
  outputValue: unknown,
  shape: Shape,
  inputValue: unknown,
  parentType: CompositeType,
): unknown {
  if (outputValue === null || (outputValue !== undefined && !shape.selected)) return outputValue;
  switch (shape.kind) {
    case 'nonNull': {
      const updated = updateValue(context, outputValue, shape.of, inputValue, parentType);
      return updated === null ? INVALID : updated;
    }
    case 'list': {
      if (inputValue === null) return null;
      if (!Array.isArray(inputValue)) return INVALID;
      if (outputValue !== undefined && !Array.isArray(outputValue)) return INVALID;
      const previous = outputValue as unknown[] | undefined;
      if (previous && previous.length !== inputValue.length) return INVALID;
      const updated = new Array<unknown>(inputValue.length);
      for (let index = 0; index < inputValue.length; index++) {
        const element = updateValue(context, previous?.[index], shape.of, inputValue[index], parentType);
        if (element === INVALID) return INVALID;
        updated[index] = element;
      }
      return updated;
    }
    case 'composite': {
      if (inputValue === null) return null;
      // computeResponse takes an array here for an object; the executeQueryPlan path shapes that oddity.
      if (typeof inputValue !== 'object' || Array.isArray(inputValue)) return INVALID;
      if (outputValue !== undefined && typeof outputValue !== 'object') return INVALID;
      const input = inputValue as Record<string, unknown>;
      const typename = input[typenameFieldName];
      if (typename !== undefined && typeof typename !== 'string') return INVALID;
      let objectType: CompositeType = shape.type;
      if (typename) {
        const named = context.schema.type(typename);
        if (!named || !isCompositeType(named)) return INVALID;
        objectType = named;
      }
      const output = (outputValue as Record<string, unknown> | undefined) ?? {};
      return applySelections(context, input, shape.selections, output, objectType) === INVALID
        ? INVALID
        : output;
    }
    case 'leaf': {
      if (inputValue === null) return null;
      if (!shape.valid(inputValue)) return INVALID;
      return inputValue;
    }
  }
}

/**
 * From now on, executeQueryPlan shapes every response with a shaper compiled once per operation (and memoised
 * with it), falling back to computeResponse wherever the shaper declines. Process-wide, as executeQueryPlan is.
 */
export function useResultShaper(): void {
  setResultShaperCompiler((operation) => {
    // An operation the compiler trips on is shaped by computeResponse, like one it declines.
    try {
      return compileResultShaper(operation);
    } catch {
      return undefined;
    }
  });
}
