import 'reflect-metadata';
import { fieldsWithoutRule } from '@atrium/platform/auth';
import * as generation from '@atrium/subgraph-generation';
import * as identity from '@atrium/subgraph-identity';
import * as integrations from '@atrium/subgraph-integrations';
import * as monitoring from '@atrium/subgraph-monitoring';
import { SUBGRAPHS } from '../src/subgraphs';

const RULES: Record<string, typeof identity.rules> = {
  identity: identity.rules,
  integrations: integrations.rules,
  generation: generation.rules,
  monitoring: monitoring.rules,
};

describe('every field of every subgraph has its own shield rule', () => {
  it.each(SUBGRAPHS.map((subgraph) => [subgraph.name, subgraph] as const))('%s', (name, subgraph) => {
    expect(fieldsWithoutRule(subgraph.build(), RULES[name]!)).toEqual([]);
  });

  it('reports a field that was added without a rule', () => {
    const schema = SUBGRAPHS.find((subgraph) => subgraph.name === 'integrations')!.build();
    const { integrationProviders: _dropped, ...queryRules } = integrations.rules.Query as Record<
      string,
      never
    >;
    expect(fieldsWithoutRule(schema, { ...integrations.rules, Query: queryRules })).toEqual([
      'Query.integrationProviders',
    ]);
  });
});
