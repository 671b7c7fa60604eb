// Scope escape through entity fields (issue 10, family 7). Every path through the public schema from a root
// field of Query to a User — found by walking schema/public.graphql, not listed by hand, so a new field that leads
// to a User (Connection.owner, User.connections, …) is checked the day it appears — gives the same answer for
// every User field with each set of API-key scopes, because the rules sit on User's fields, which `_entities`
// reaches too. A session (all of its user's rights) must reach the user on every path, so no path passes by
// finding nothing.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';

const TARGET = 'User';
const USER_FIELDS = [
  'id',
  'email',
  'displayName',
  'roles',
  'mfaEnabled',
  'disabled',
  'createdAt',
  'lastSignInAt',
];
const SCOPE_SETS = [
  ['generation:read'],
  ['audit:read'],
  ['profile:read'],
  ['integrations:read'],
  ['users:read'],
  ['generation:read', 'audit:read'],
  ['profile:read', 'generation:read', 'audit:read', 'integrations:read'],
];
// Fields per path; the gateway's MAX_DEPTH (10) bounds the longest query anyway.
const MAX_STEPS = 7;
const EMAIL = 'scopes@example.test';

interface Step {
  field: string;
  /** Required arguments, by name: filled from `ids` when the path is queried. */
  required: string[];
  hasFirst: boolean;
}
type Path = Step[];

/** Every path from Query to a field of type User, no type visited twice on one path (User may be passed once). */
function pathsToTarget(): Path[] {
  const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema', 'public.graphql'), 'utf8'));
  const found: Path[] = [];
  const walk = (type: GraphQLObjectType, path: Path, seen: Set<string>) => {
    if (path.length >= MAX_STEPS) return;
    for (const field of Object.values(type.getFields()) as Array<GraphQLField<unknown, unknown>>) {
      const named = getNamedType(field.type);
      if (!isObjectType(named)) continue;
      const step: Step = {
        field: field.name,
        required: field.args
          .filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)
          .map((arg) => arg.name),
        hasFirst: field.args.some((arg) => arg.name === 'first'),
      };
      if (named.name === TARGET) found.push([...path, step]);
      if (!seen.has(named.name)) walk(named, [...path, step], new Set([...seen, named.name]));
    }
  };
  walk(schema.getQueryType()!, [], new Set(['Query']));
  return found;
}

const nameOf = (path: Path) => path.map((step) => step.field).join('.');

describe('User fields answer the same on every path, for every scope set', () => {
  const leftovers = new Leftovers();
  const paths = pathsToTarget();
  let stack: Stack;
  let session: Record<string, string>;
  const ids: Record<string, string> = {};

  const gql = (query: string, headers: Record<string, string>, variables?: Record<string, unknown>) =>
    postGraphQL<any>(stack.gatewayUrl, query, { headers, variables });

  beforeAll(async () => {
    // A model-provider API that takes any key, so the user can hold a connection (Connection.owner).
    const provider = createServer((req, res) => {
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: [{ id: 'any-model' }] }));
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    leftovers.add(provider, (s) => new Promise((resolve) => s.close(resolve)));
    stack = leftovers.add(
      await startStack({
        env: {
          // An ADMIN, so that the admin-only paths (users) are reached too with the session.
          ATRIUM_ADMIN_EMAILS: EMAIL,
          // One request per path, field and scope set, all from 127.0.0.1.
          RATE_LIMIT_IP_PER_MINUTE: '0',
          INTEGRATIONS_OPENAI_BASE_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`,
        },
      }),
      (s) => s.stop(),
    );
    const signUp = await gql(
      `mutation { signUp(input: { email: "${EMAIL}", password: "a long enough password", displayName: "S" }) { accessToken user { id } } }`,
      {},
    );
    session = { authorization: `Bearer ${signUp.body.data.signUp.accessToken as string}` };
    ids.user = signUp.body.data.signUp.user.id;
    const job = await gql(
      'mutation { generate(input: { kind: SUMMARY, prompt: "Summarise this" }) { id } }',
      session,
    );
    ids.generationJob = job.body.data.generate.id;
    const connection = await gql(
      'mutation { connectWithApiKey(providerId: "openai", apiKey: "sk-scope-walk-0123456789abcdef") { id } }',
      session,
    );
    expect(connection.body.errors).toBeUndefined();
    ids.connection = connection.body.data.connectWithApiKey.id;
  }, 90_000);
  afterAll(() => leftovers.dispose());

  /** The query for one path, selecting `field` on the User at its end. */
  const queryFor = (path: Path, field: string): string => {
    let selection = field;
    for (const step of [...path].reverse()) {
      const args: string[] = [];
      for (const name of step.required) {
        // A new required argument needs a value here: the walk must not skip the path.
        const value = name === 'id' ? ids[step.field] : undefined;
        if (value === undefined) throw new Error(`no value for ${step.field}(${name}:) in ${nameOf(path)}`);
        args.push(`${name}: ${JSON.stringify(value)}`);
      }
      if (step.hasFirst) args.push('first: 1');
      selection = `${step.field}${args.length ? `(${args.join(', ')})` : ''} { ${selection} }`;
    }
    return `{ ${selection} }`;
  };

  /** The User object at the end of the path in `data` (first item of each list), or undefined. */
  const userAt = (data: any, path: Path): Record<string, unknown> | undefined => {
    let value = data;
    for (const step of path) {
      value = value?.[step.field];
      if (Array.isArray(value)) value = value[0];
    }
    return value ?? undefined;
  };

  /**
   * Per User field: 'value', or 'refused:<codes>'. One request per field (a refused non-null field nulls its
   * parent, which would hide its siblings' answers). A field is left out when the key may not take the path at
   * all (a root field or a list its scopes do not open), which says nothing about User.
   */
  const answersOn = async (path: Path, headers: Record<string, string>) => {
    const answers: Record<string, string> = {};
    await Promise.all(
      USER_FIELDS.map(async (field) => {
        const response = await gql(queryFor(path, field), headers);
        const errors: any[] = response.body.errors ?? [];
        const onField = errors.filter((e) => e.path?.length > path.length && e.path.at(-1) === field);
        if (onField.length > 0)
          answers[field] = `refused:${onField.map((e) => e.extensions?.code).join(',')}`;
        else if (userAt(response.body.data, path)) answers[field] = 'value';
        else expect({ path: nameOf(path), field, errors: errors.length }).not.toMatchObject({ errors: 0 });
      }),
    );
    return Object.keys(answers).length > 0 ? answers : undefined;
  };

  it('finds every path, Connection.owner and the paths through other users’ objects included', () => {
    const names = paths.map(nameOf);
    expect(names).toEqual(
      expect.arrayContaining([
        'me',
        'user',
        'users.edges.node',
        'generationJob.owner',
        'generationJobs.edges.node.owner',
        'auditEvents.edges.node.actor',
        'connection.owner',
        'connections.owner',
        'me.connections.owner',
        'generationJob.owner.connections.owner',
      ]),
    );
    expect(paths.length).toBeGreaterThanOrEqual(18);
  });

  it('reaches the user on every path with a session, every field answered', async () => {
    for (const path of paths) {
      const answers = await answersOn(path, session);
      const expected = Object.fromEntries(USER_FIELDS.map((field) => [field, 'value']));
      expect({ path: nameOf(path), answers }).toEqual({ path: nameOf(path), answers: expected });
    }
  }, 120_000);

  it.each(SCOPE_SETS.map((scopes) => [scopes.join(' ')]))(
    'scopes %s',
    async (scopeList) => {
      const scopes = scopeList.split(' ');
      const created = await gql(
        'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
        session,
        { i: { name: `k ${scopeList}`, scopes } },
      );
      const headers = { 'x-api-key': created.body.data.createApiKey.secret as string };
      const canProfile = scopes.includes('profile:read');
      let reached = 0;
      for (const path of paths) {
        const answers = await answersOn(path, headers);
        if (!answers) continue;
        reached++;
        const expected = Object.fromEntries(
          USER_FIELDS.map((field) => [field, field === 'id' || canProfile ? 'value' : 'refused:FORBIDDEN']),
        );
        expect({ path: nameOf(path), answers }).toEqual({ path: nameOf(path), answers: expected });
      }
      expect(reached).toBeGreaterThan(0);
    },
    120_000,
  );
});
