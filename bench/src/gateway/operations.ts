import { randomBytes } from 'node:crypto';
import { getIntrospectionQuery, type IntrospectionObjectType, type IntrospectionQuery } from 'graphql';
import {
  ANONYMOUS,
  INTERNAL_ASSERTION_HEADER,
  signInternalAssertion,
  type Principal,
} from '@atrium/platform/auth';
import { postJson, type Operation } from './load';

/** One benchmarked operation: through the gateway, and (where one exists) the same data straight from subgraphs. */
export interface BenchOperation {
  name: string;
  /** The query sent to the gateway. */
  query: string;
  /** What was selected, and any fallback taken because a field does not exist (yet) or sign-up failed. */
  notes: string[];
  body: string;
  headers: Record<string, string>;
  gateway: Operation;
  /** undefined when nothing equivalent can be asked of the subgraphs directly. */
  direct?: Operation;
}

export interface BenchSetup {
  gatewayUrl: string;
  subgraphUrls: Record<'identity' | 'integrations' | 'generation' | 'monitoring', string>;
  internalSecret: string;
}

export interface Session {
  token: string;
  principal: Principal;
}

export type Fields = Map<string, IntrospectionObjectType>;

/** Discovers what the running graph offers, signs a user up, seeds a page of jobs, and builds the three operations. */
export async function prepareOperations(setup: BenchSetup): Promise<BenchOperation[]> {
  const types = await schemaTypes(setup.gatewayUrl);
  const session = await signUp(setup.gatewayUrl, types);
  if (session) await seedJobs(setup.gatewayUrl, session, types);
  return [meOperation(setup, types, session), listOperation(setup, types, session), introspection(setup)];
}

export async function schemaTypes(url: string): Promise<Fields> {
  const result = (await postJson(url, JSON.stringify({ query: getIntrospectionQuery() }))) as {
    data: IntrospectionQuery;
  };
  const types: Fields = new Map();
  for (const type of result.data.__schema.types) if (type.kind === 'OBJECT') types.set(type.name, type);
  return types;
}

const has = (types: Fields, type: string, field: string) =>
  types.get(type)?.fields.some((f) => f.name === field) ?? false;

export async function signUp(url: string, types: Fields): Promise<Session | undefined> {
  if (!has(types, 'Mutation', 'signUp')) return undefined;
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  try {
    const result = (await postJson(
      url,
      JSON.stringify({
        query: 'mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }',
        variables: { i: { email, password: 'Bench-password-0123456789', displayName: 'Bench' } },
      }),
    )) as { data: { signUp: { accessToken: string } } };
    const token = result.data.signUp.accessToken;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      sub: string;
      sid: string;
      roles: Principal['roles'];
    };
    return {
      token,
      principal: {
        ...ANONYMOUS,
        kind: 'user',
        userId: claims.sub,
        roles: claims.roles,
        sessionId: claims.sid,
      },
    };
  } catch (error) {
    console.warn(`sign-up failed, \`me\` runs anonymously: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Twenty finished jobs, so the list page is a full page. Generation lets a user have only a few jobs queued or
 * running at once (RATE_LIMITED otherwise), so jobs are created as the worker finishes them; bounded in time.
 */
export async function seedJobs(url: string, session: Session, types: Fields, count = 20): Promise<void> {
  if (!has(types, 'Mutation', 'generate') || !has(types, 'Query', 'generationJobs')) return;
  const headers = { authorization: `Bearer ${session.token}` };
  const deadline = Date.now() + 45_000;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 250));
  let created = 0;
  while (created < count && Date.now() < deadline) {
    try {
      await postJson(
        url,
        JSON.stringify({
          query: 'mutation($i: GenerateInput!) { generate(input: $i) { id } }',
          variables: {
            i: { kind: 'SUMMARY', title: `Bench ${created}`, prompt: `Summarise item ${created}.` },
          },
        }),
        headers,
      );
      created++;
    } catch (error) {
      if (!/RATE_LIMITED/.test((error as Error).message)) {
        console.warn(`seeding jobs failed, the list page may be short: ${(error as Error).message}`);
        return;
      }
      await pause();
    }
  }
  while (Date.now() < deadline) {
    const page = (await postJson(
      url,
      JSON.stringify({ query: '{ generationJobs(first: 50) { edges { node { status } } } }' }),
      headers,
    )) as { data: { generationJobs: { edges: Array<{ node: { status: string } }> } } };
    if (page.data.generationJobs.edges.every(({ node }) => !['QUEUED', 'RUNNING'].includes(node.status)))
      return;
    await pause();
  }
  console.warn(`seeded ${created} jobs; some may still be running during the measurements`);
}

async function assertionHeaders(setup: BenchSetup, principal: Principal, audience: string) {
  const assertion = await signInternalAssertion(principal, { secret: setup.internalSecret, audience });
  return { [INTERNAL_ASSERTION_HEADER]: assertion };
}

function viaGateway(setup: BenchSetup, query: string, session: Session | undefined) {
  const headers: Record<string, string> = session ? { authorization: `Bearer ${session.token}` } : {};
  const body = JSON.stringify({ query });
  return { body, headers, gateway: () => postJson(setup.gatewayUrl, body, headers).then(() => undefined) };
}

const CONNECTIONS = 'connections { id status provider { id name } }';
const JOBS = 'generationJobs(first: 5) { totalCount edges { node { id title status } } }';

function meOperation(setup: BenchSetup, types: Fields, session: Session | undefined): BenchOperation {
  const notes: string[] = [];
  const extra: Array<{ subgraph: 'integrations' | 'generation'; selection: string }> = [];
  if (has(types, 'User', 'connections')) extra.push({ subgraph: 'integrations', selection: CONNECTIONS });
  else notes.push('User.connections does not exist in this graph yet: left out');
  if (has(types, 'User', 'generationJobs')) extra.push({ subgraph: 'generation', selection: JOBS });
  else notes.push('User.generationJobs does not exist in this graph yet: left out');
  if (!session) notes.push('no signed-in user (sign-up unavailable): `me` is null, only identity is called');
  const query = `query Me { me { id displayName ${extra.map((e) => e.selection).join(' ')} } }`;
  const principal = session?.principal ?? ANONYMOUS;
  const direct: Operation = async () => {
    const me = (await postJson(
      setup.subgraphUrls.identity,
      JSON.stringify({ query: '{ me { id displayName } }' }),
      await assertionHeaders(setup, principal, 'identity'),
    )) as { data: { me: { id: string } | null } };
    if (!me.data.me) return;
    const representations = [{ __typename: 'User', id: me.data.me.id }];
    await Promise.all(
      extra.map(async ({ subgraph, selection }) =>
        postJson(
          setup.subgraphUrls[subgraph],
          JSON.stringify({
            query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { ${selection} } } }`,
            variables: { r: representations },
          }),
          await assertionHeaders(setup, principal, subgraph),
        ),
      ),
    );
  };
  return {
    name: 'me + connections + generation jobs',
    query,
    notes,
    ...viaGateway(setup, query, session),
    direct,
  };
}

function listOperation(setup: BenchSetup, types: Fields, session: Session | undefined): BenchOperation {
  if (session && has(types, 'Query', 'generationJobs')) {
    const selection =
      'generationJobs(first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id title kind status progress createdAt } } }';
    const query = `query JobsPage { ${selection} }`;
    return {
      name: 'list page (generationJobs, first: 20)',
      query,
      notes: [],
      ...viaGateway(setup, query, session),
      direct: async () =>
        void (await postJson(
          setup.subgraphUrls.generation,
          JSON.stringify({ query: `{ ${selection} }` }),
          await assertionHeaders(setup, session.principal, 'generation'),
        )),
    };
  }
  const selection =
    'integrationProviders { id name category authScheme defaultScopes configured supportsWebhooks }';
  const query = `query Providers { ${selection} }`;
  return {
    name: 'list page (integrationProviders)',
    query,
    notes: ['no signed-in user: the public provider list stands in for a page of jobs'],
    ...viaGateway(setup, query, undefined),
    direct: async () =>
      void (await postJson(
        setup.subgraphUrls.integrations,
        JSON.stringify({ query: `{ ${selection} }` }),
        await assertionHeaders(setup, ANONYMOUS, 'integrations'),
      )),
  };
}

function introspection(setup: BenchSetup): BenchOperation {
  const query = getIntrospectionQuery();
  return {
    name: 'introspection (standard query)',
    query: 'getIntrospectionQuery() of graphql-js',
    notes: [
      'answered by the gateway alone; subgraphs refuse introspection, so there is no direct equivalent',
    ],
    ...viaGateway(setup, query, undefined),
  };
}
