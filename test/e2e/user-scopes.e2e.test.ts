// Scope escape through entity fields (issue 10, family 7). Every path through the public schema from a root
// field of Query or Subscription to a User — found by walking schema/public.graphql, not listed by hand, so a new
// field that leads to a User (Connection.owner, User.connections, an event's job owner, …) is checked the day it
// appears — gives the same answer for every User field with each set of API-key scopes, because the rules sit on
// User's fields, which `_entities` reaches too. Subscription paths go through the gateway's subscription engine
// with the real graphql-ws client and are answered by their first event. A session (all of its user's rights)
// must reach the user on every path, so no path passes by finding nothing.
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
import type { Client } from 'graphql-ws';
import { Leftovers, postGraphQL } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';
import { collect, wsClient, type WsResult } from '../src/ws-client';

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
type Path = Step[] & { operation: 'query' | 'subscription' };

/**
 * Every path from Query or Subscription to a field of type User, no type visited twice on one path (User may be
 * passed once).
 */
function pathsToTarget(): Path[] {
  const schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema', 'public.graphql'), 'utf8'));
  const found: Path[] = [];
  let operation: Path['operation'] = 'query';
  const walk = (type: GraphQLObjectType, path: Step[], seen: Set<string>) => {
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
      if (named.name === TARGET) found.push(Object.assign([...path, step], { operation }));
      if (!seen.has(named.name)) walk(named, [...path, step], new Set([...seen, named.name]));
    }
  };
  walk(schema.getQueryType()!, [], new Set(['Query']));
  operation = 'subscription';
  walk(schema.getSubscriptionType()!, [], new Set(['Subscription']));
  return found;
}

const nameOf = (path: Path) => path.map((step) => step.field).join('.');

/** Who asks: the HTTP headers of a query, and a graphql-ws client with the same credentials for subscriptions. */
interface Caller {
  headers: Record<string, string>;
  ws: Client;
}

describe('User fields answer the same on every path, for every scope set', () => {
  const leftovers = new Leftovers();
  const paths = pathsToTarget();
  let stack: Stack;
  let session: Record<string, string>;
  const ids: Record<string, string> = {};

  const gql = (query: string, headers: Record<string, string>, variables?: Record<string, unknown>) =>
    postGraphQL<any>(stack.gatewayUrl, query, { headers, variables });

  /** A graphql-ws client presenting the same credentials in `connection_init` (the gateway reads both headers). */
  const subscriber = (headers: Record<string, string>): Client => {
    const client = wsClient(stack.gatewayUrl, undefined, { connectionParams: headers });
    leftovers.add(client, (c) => c.dispose());
    return client;
  };

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
          // No worker: the job stays QUEUED, so `myGenerationEvents` opens with its SNAPSHOT for every subscriber
          // and `generationJobUpdated` with one too: each subscription path answers at once, with no race.
          GENERATION_INLINE_WORKER: 'false',
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
    const jobId: string = job.body.data.generate.id;
    ids.generationJob = jobId;
    ids.generationJobUpdated = jobId;
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
    return `${path.operation === 'subscription' ? 'subscription ' : ''}{ ${selection} }`;
  };

  /** The HTTP response body of a query; for a subscription, its first result (or the error that ended it). */
  const firstAnswer = async (path: Path, document: string, caller: Caller): Promise<WsResult> => {
    if (path.operation === 'query') return (await gql(document, caller.headers)).body;
    const { results, error } = await collect(caller.ws, document, {}, { until: () => true });
    if (error !== undefined) return { errors: Array.isArray(error) ? error : [{ message: String(error) }] };
    // A subscription that ends without a word says nothing: the walk must not count it as an answer.
    return results[0] ?? { errors: [{ message: `${nameOf(path)} ended without an event` }] };
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
  const answersOn = async (path: Path, caller: Caller) => {
    const answers: Record<string, string> = {};
    await Promise.all(
      USER_FIELDS.map(async (field) => {
        const answer = await firstAnswer(path, queryFor(path, field), caller);
        const errors: any[] = answer.errors ?? [];
        const onField = errors.filter((e) => e.path?.length > path.length && e.path.at(-1) === field);
        if (onField.length > 0)
          answers[field] = `refused:${onField.map((e) => e.extensions?.code).join(',')}`;
        else if (userAt(answer.data, path)) answers[field] = 'value';
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
        'generationJobUpdated.job.owner',
        'myGenerationEvents.job.owner',
        'myGenerationEvents.job.owner.connections.owner',
      ]),
    );
    expect(paths.filter((path) => path.operation === 'query').length).toBeGreaterThanOrEqual(18);
    expect(paths.filter((path) => path.operation === 'subscription').length).toBeGreaterThanOrEqual(4);
  });

  it('reaches the user on every path with a session, every field answered', async () => {
    const caller = { headers: session, ws: subscriber(session) };
    for (const path of paths) {
      const answers = await answersOn(path, caller);
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
      const caller = { headers, ws: subscriber(headers) };
      const canProfile = scopes.includes('profile:read');
      const reached: string[] = [];
      for (const path of paths) {
        const answers = await answersOn(path, caller);
        if (!answers) continue;
        reached.push(nameOf(path));
        const expected = Object.fromEntries(
          USER_FIELDS.map((field) => [field, field === 'id' || canProfile ? 'value' : 'refused:FORBIDDEN']),
        );
        expect({ path: nameOf(path), answers }).toEqual({ path: nameOf(path), answers: expected });
      }
      expect(reached.length).toBeGreaterThan(0);
      // A key that may watch jobs reaches the owner through both generation subscriptions, so their answers
      // are compared above rather than left out.
      if (scopes.includes('generation:read'))
        expect(reached).toEqual(
          expect.arrayContaining(['generationJobUpdated.job.owner', 'myGenerationEvents.job.owner']),
        );
    },
    120_000,
  );
});
