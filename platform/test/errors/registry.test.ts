import { GraphQLError } from 'graphql';
import { defineErrorCodes, errorCodeDefinition, errors, registeredErrorCodes } from '../../src/errors';

const CONTRACT_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'CONFLICT',
  'INTERNAL_SERVER_ERROR',
  'SUBGRAPH_UNAVAILABLE',
  'GATEWAY_TIMEOUT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'SUBSCRIPTION_UPSTREAM_ERROR',
  'SUBSCRIPTION_SCHEMA_RELOAD',
  'SUBSCRIPTION_JWT_EXPIRED',
  'SUBSCRIPTION_MAX_LIMIT',
];

describe('errors', () => {
  it('has a factory for every code of the contract and ARCHITECTURE.md', () => {
    for (const code of CONTRACT_CODES) {
      const factory = (errors as Record<string, (m: string) => GraphQLError>)[code];
      expect(factory).toBeDefined();
      expect(factory!('message').extensions.code).toBe(code);
    }
  });

  it('creates GraphQL errors with the code and the given extensions', () => {
    const error = errors.RATE_LIMITED('Too many requests', { retryAfterSeconds: 12 });
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe('Too many requests');
    expect(error.extensions).toEqual({ retryAfterSeconds: 12, code: 'RATE_LIMITED' });
  });

  it('never lets an extension relabel the code', () => {
    expect(errors.NOT_FOUND('gone', { code: 'FORBIDDEN' }).extensions.code).toBe('NOT_FOUND');
  });
});

describe('registry', () => {
  it('lists every registered code with a description, sorted', () => {
    const listed = registeredErrorCodes();
    const codes = listed.map((c) => c.code);
    expect(codes).toEqual([...codes].sort());
    expect(codes).toEqual(expect.arrayContaining(CONTRACT_CODES));
    for (const entry of listed) expect(entry.description.length).toBeGreaterThan(20);
    expect(listed.find((c) => c.code === 'RATE_LIMITED')).toEqual({
      code: 'RATE_LIMITED',
      description: expect.stringContaining('retryAfterSeconds'),
      httpStatus: 429,
      retryable: true,
    });
  });

  it('adds the codes a package defines for itself', () => {
    const local = defineErrorCodes({
      JOB_NOT_CANCELLABLE: { description: 'The job already finished and cannot be cancelled.' },
    });
    expect(local.JOB_NOT_CANCELLABLE('done').extensions.code).toBe('JOB_NOT_CANCELLABLE');
    expect(registeredErrorCodes().map((c) => c.code)).toContain('JOB_NOT_CANCELLABLE');
    expect(errorCodeDefinition('JOB_NOT_CANCELLABLE')?.description).toBe(
      'The job already finished and cannot be cancelled.',
    );
  });

  it('accepts the same definition twice but refuses a code that would mean two things', () => {
    const definition = { WEBHOOK_REPLAYED: { description: 'The webhook delivery was already processed.' } };
    defineErrorCodes(definition);
    expect(() => defineErrorCodes(definition)).not.toThrow();
    expect(() => defineErrorCodes({ WEBHOOK_REPLAYED: { description: 'Something else.' } })).toThrow(
      /WEBHOOK_REPLAYED is already defined/,
    );
    expect(() => defineErrorCodes({ NOT_FOUND: { description: 'Different meaning.' } })).toThrow(/NOT_FOUND/);
  });
});
