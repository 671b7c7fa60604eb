// Scope escape through entity fields (issue 10, family 7): every public path to a User — `me`, `user(id)`, a
// generation job's owner, an audit event's actor — gives the same answer for every User field with each set of
// API-key scopes, because the rules sit on User's fields, which `_entities` reaches too.
import { postGraphQL } from '@atrium/platform/testing';
import { startStack, type Stack } from '../src/stack';

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
  ['generation:read', 'audit:read'],
  ['profile:read', 'generation:read', 'audit:read'],
];

describe('User fields answer the same on every path, for every scope set', () => {
  let stack: Stack;
  let accessToken: string;
  let userId: string;
  let jobId: string;

  const gql = (query: string, headers: Record<string, string>, variables?: Record<string, unknown>) =>
    postGraphQL<any>(stack.gatewayUrl, query, { headers, variables });

  beforeAll(async () => {
    stack = await startStack();
    const signUp = await gql(
      'mutation { signUp(input: { email: "scopes@example.test", password: "a long enough password", displayName: "S" }) { accessToken user { id } } }',
      {},
    );
    accessToken = signUp.body.data.signUp.accessToken;
    userId = signUp.body.data.signUp.user.id;
    const job = await gql(
      'mutation { generate(input: { kind: SUMMARY, prompt: "Summarise this" }) { id } }',
      {
        authorization: `Bearer ${accessToken}`,
      },
    );
    jobId = job.body.data.generate.id;
  }, 60_000);
  afterAll(() => stack?.stop());

  /** Every path through the public schema that ends at this user, as a query selecting `field` on it. */
  const paths: Array<[name: string, query: (field: string) => string, pick: (data: any) => any]> = [
    ['me', (f) => `{ me { ${f} } }`, (d) => d?.me],
    ['user(id)', (f) => `{ user(id: "${userId}") { ${f} } }`, (d) => d?.user],
    [
      'generationJob.owner',
      (f) => `{ generationJob(id: "${jobId}") { owner { ${f} } } }`,
      (d) => d?.generationJob?.owner,
    ],
    [
      'generationJobs.edges.node.owner',
      (f) => `{ generationJobs(first: 1) { edges { node { owner { ${f} } } } } }`,
      (d) => d?.generationJobs?.edges?.[0]?.node?.owner,
    ],
    [
      'auditEvents.edges.node.actor',
      (f) => `{ auditEvents(first: 1) { edges { node { actor { ${f} } } } } }`,
      (d) => d?.auditEvents?.edges?.[0]?.node?.actor,
    ],
  ];

  it.each(SCOPE_SETS.map((scopes) => [scopes.join(' ')]))(
    'scopes %s',
    async (scopeList) => {
      const scopes = scopeList.split(' ');
      const created = await gql(
        'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }',
        { authorization: `Bearer ${accessToken}` },
        { i: { name: `k ${scopeList}`, scopes } },
      );
      const headers = { 'x-api-key': created.body.data.createApiKey.secret as string };
      const canProfile = scopes.includes('profile:read');
      for (const field of USER_FIELDS) {
        const answers: Record<string, string> = {};
        for (const [name, query, pick] of paths) {
          const response = await gql(query(field), headers);
          const errors: any[] = response.body.errors ?? [];
          const onField = errors.filter((e) => e.path?.[e.path.length - 1] === field);
          if (onField.length > 0) {
            answers[name] = `refused:${onField.map((e) => e.extensions?.code).join(',')}`;
            continue;
          }
          // A path the key may not take at all (its root field's scope) says nothing about the User's fields.
          if (!pick(response.body.data)) {
            expect(errors.length).toBeGreaterThan(0);
            continue;
          }
          answers[name] = 'value';
        }
        const expected = field === 'id' || canProfile ? 'value' : 'refused:FORBIDDEN';
        expect(Object.keys(answers).length).toBeGreaterThan(0);
        for (const [name, answer] of Object.entries(answers))
          expect(`${field} via ${name}: ${answer}`).toBe(`${field} via ${name}: ${expected}`);
      }
    },
    60_000,
  );
});
