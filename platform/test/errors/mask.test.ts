import { ApolloServer } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { errors, maskError, stripSuggestions } from '../../src/errors';
import { runWithRequestContext } from '../../src/logging';
import { LogCapture } from '../../src/testing';

const SECRET = 'sk-live-Sup3rS3cret-4f9a';

const typeDefs = /* GraphQL */ `
  enum JobStatus {
    QUEUED
    RUNNING
    SUCCEEDED
  }
  type Job {
    id: ID!
    status: JobStatus!
    owner: String
  }
  type Query {
    job(id: ID!): Job
    jobs(status: JobStatus): [Job!]!
    limited: Int
    invalid: Int
    crash: Int
    crashWithCode: Int
    internal: Int
    wrapped: Int
    thrownString: Int
    detailed: Int
  }
`;

const resolvers = {
  Query: {
    job: (_: unknown, { id }: { id: string }) => {
      if (id === 'missing') throw errors.NOT_FOUND('Job not found', { jobId: id });
      return { id, status: 'QUEUED', owner: null };
    },
    jobs: () => [],
    limited: () => {
      throw errors.RATE_LIMITED('Too many requests', { retryAfterSeconds: 30 });
    },
    invalid: () => {
      throw errors.BAD_USER_INPUT('Invalid input', {
        fields: [{ field: 'email', message: 'is not an email' }],
      });
    },
    crash: () => {
      throw new Error(`connect ECONNREFUSED ${SECRET}`);
    },
    crashWithCode: () => {
      throw new GraphQLError(`pool exhausted for ${SECRET}`, { extensions: { code: 'DB_POOL_EXHAUSTED' } });
    },
    internal: () => {
      throw errors.INTERNAL_SERVER_ERROR(`invariant broken near ${SECRET}`);
    },
    wrapped: () => {
      throw new GraphQLError('Upstream said no', { originalError: new Error(SECRET) });
    },
    thrownString: () => {
      throw SECRET;
    },
    detailed: () => {
      throw errors.CONFLICT('Email already registered', {
        exception: { stacktrace: [SECRET] },
        stacktrace: [SECRET],
      });
    },
  },
};

async function withServer(
  fn: (run: Run, out: LogCapture) => Promise<void>,
  stacktraces = false,
): Promise<void> {
  const out = new LogCapture('test', { level: 'info' });
  const { log } = out;
  const server = new ApolloServer({
    typeDefs,
    resolvers,
    includeStacktraceInErrorResponses: stacktraces,
    formatError: (formatted, error) => maskError(formatted, error, { log }),
    logger: log,
  });
  await server.start();
  try {
    await fn(async (query, variables) => {
      const response = await runWithRequestContext({ requestId: 'req-mask-0001' }, () =>
        server.executeOperation({ query, variables }),
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult.errors ?? [];
    }, out);
  } finally {
    await server.stop();
  }
}

type Run = (query: string, variables?: Record<string, unknown>) => Promise<readonly GraphQLFormattedError[]>;

describe('maskError through Apollo Server', () => {
  it('keeps a coded domain error with its message, path, locations and extensions', () =>
    withServer(async (run) => {
      const [error] = await run('{ job(id: "missing") { id } }');
      expect(error).toEqual({
        message: 'Job not found',
        locations: [{ line: 1, column: 3 }],
        path: ['job'],
        extensions: { code: 'NOT_FOUND', jobId: 'missing', requestId: 'req-mask-0001' },
      });
    }));

  it('keeps retryAfterSeconds and field errors', () =>
    withServer(async (run) => {
      const [limited] = await run('{ limited }');
      expect(limited?.extensions).toEqual({
        code: 'RATE_LIMITED',
        retryAfterSeconds: 30,
        requestId: 'req-mask-0001',
      });
      const [invalid] = await run('{ invalid }');
      expect(invalid?.extensions?.fields).toEqual([{ field: 'email', message: 'is not an email' }]);
    }));

  it('drops stack traces and wrapped exceptions from an exposed error', () =>
    withServer(async (run) => {
      const [error] = await run('{ detailed }');
      expect(error?.message).toBe('Email already registered');
      expect(error?.extensions).toEqual({ code: 'CONFLICT', requestId: 'req-mask-0001' });
    }, true));

  it.each([
    ['a plain Error', 'crash'],
    ['an unregistered code', 'crashWithCode'],
    ['INTERNAL_SERVER_ERROR', 'internal'],
    ['an uncoded GraphQLError wrapping an Error', 'wrapped'],
    ['a thrown string', 'thrownString'],
  ])('masks %s, shows only the code and request id, and logs the original', (_case, field) =>
    withServer(async (run, out) => {
      const errorsSeen = await run(`{ ${field} }`);
      expect(errorsSeen).toEqual([
        {
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-mask-0001' },
        },
      ]);
      expect(JSON.stringify(errorsSeen)).not.toContain('Sup3rS3cret');
      const logged = out.lines.find((l) => l.msg === 'unexpected error masked as INTERNAL_SERVER_ERROR');
      expect(logged).toMatchObject({ level: 50, requestId: 'req-mask-0001', path: [field] });
      expect(JSON.stringify(logged)).toContain('Sup3rS3cret');
    }, true),
  );

  it('keeps validation errors but removes "Did you mean" suggestions', () =>
    withServer(async (run) => {
      const [error] = await run('{ jbo(id: "1") { id } }');
      expect(error?.message).toBe('Cannot query field "jbo" on type "Query".');
      expect(error?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', requestId: 'req-mask-0001' });
      expect(error?.locations).toEqual([{ line: 1, column: 3 }]);

      const [argument] = await run('{ job(idd: "1") { id } }');
      expect(argument?.message).not.toMatch(/Did you mean/);
      expect(argument?.message).toMatch(/^Unknown argument "idd" on field "Query.job"\.$/);
    }));

  it('removes enum suggestions from variable coercion errors', () =>
    withServer(async (run) => {
      const [error] = await run('query Q($s: JobStatus) { jobs(status: $s) { id } }', { s: 'QUEUD' });
      expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(error?.message).toContain('Value "QUEUD" does not exist in "JobStatus" enum.');
      expect(error?.message).not.toMatch(/Did you mean|QUEUED/);
    }));

  it('keeps parse errors', () =>
    withServer(async (run) => {
      const [error] = await run('{ job(id: "1") { id }');
      expect(error?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(error?.message).toMatch(/^Syntax Error/);
    }));
});

describe('maskError', () => {
  function setup() {
    const out = new LogCapture('test', { level: 'info' });
    return { out, log: out.log };
  }

  const formatted = (error: GraphQLError): GraphQLFormattedError => ({
    ...error.toJSON(),
    extensions: { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' },
  });

  it('prefers an explicit request id and omits it when there is none', () => {
    const { log } = setup();
    const error = errors.FORBIDDEN('Not yours');
    const explicit = runWithRequestContext({ requestId: 'from-context' }, () =>
      maskError(formatted(error), error, { log, requestId: 'explicit-id' }),
    );
    expect(explicit.extensions?.requestId).toBe('explicit-id');
    expect(maskError(formatted(error), error, { log }).extensions).toEqual({ code: 'FORBIDDEN' });
  });

  it('keeps the path of a masked error only when asked to', () => {
    const { log } = setup();
    const error = new GraphQLError('boom', { path: ['user', 'email'], originalError: new Error(SECRET) });
    expect(maskError(formatted(error), error, { log }).path).toBeUndefined();
    expect(maskError(formatted(error), error, { log, exposeInternalPath: true }).path).toEqual([
      'user',
      'email',
    ]);
  });

  it('survives a cyclic originalError chain', () => {
    const { log, out } = setup();
    const a = new GraphQLError('a') as GraphQLError & { originalError: unknown };
    const b = new GraphQLError('b', { originalError: a });
    Object.defineProperty(a, 'originalError', { value: b });
    expect(maskError(formatted(b), b, { log }).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(out.lines).toHaveLength(1);
  });

  it('does not log expected errors', () => {
    const { log, out } = setup();
    const error = errors.UNAUTHENTICATED('Sign in first');
    maskError(formatted(error), error, { log });
    expect(out.raw).toEqual([]);
  });
});

describe('stripSuggestions', () => {
  it.each([
    [
      'Cannot query field "nme" on type "User". Did you mean "name"?',
      'Cannot query field "nme" on type "User".',
    ],
    ['Unknown type "Usr". Did you mean "User", "UserEdge", or "UserConnection"?', 'Unknown type "Usr".'],
    [
      'Cannot query field "x" on type "Node". Did you mean to use an inline fragment on "User"?',
      'Cannot query field "x" on type "Node".',
    ],
    ['Job not found', 'Job not found'],
  ])('%s', (input, expected) => {
    expect(stripSuggestions(input)).toBe(expected);
  });
});
