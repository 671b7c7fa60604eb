import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { withFederationStubs } from './contract-coverage';

/** Changes that break clients of `before` when they move to `after` (graphql-inspector's criticality). */
export async function breakingChanges(beforeSdl: string, afterSdl: string): Promise<Change[]> {
  const changes = await diff(buildSchema(beforeSdl), buildSchema(afterSdl));
  return changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
}

/**
 * Where the public API contradicts the contract (../shared/contract.graphql). Parts of the contract not built
 * yet are expected to be missing, so removals are ignored; any other breaking difference (a renamed argument, a
 * changed type or nullability, a missing enum value of an existing enum) is a deviation from the promise.
 */
export async function contractDeviations(contractSdl: string, publicSdl: string): Promise<Change[]> {
  const notYetBuilt = new Set([
    'FIELD_REMOVED',
    'TYPE_REMOVED',
    'UNION_MEMBER_REMOVED',
    'DIRECTIVE_REMOVED',
    'SCHEMA_MUTATION_TYPE_CHANGED',
    'SCHEMA_SUBSCRIPTION_TYPE_CHANGED',
  ]);
  const changes = await breakingChanges(withFederationStubs(contractSdl), publicSdl);
  return changes.filter((change) => !notYetBuilt.has(change.type));
}
