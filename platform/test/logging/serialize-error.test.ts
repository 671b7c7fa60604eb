import { serializeError, stripSqlValues } from '../../src/logging';

describe('serializeError', () => {
  it('keeps the statement and the driver message of a failed query, not its values or detail', () => {
    const error = Object.assign(
      new Error(
        `insert into "users" ("id", "email", "password_hash") values ('u1', 'a@b.test', '$argon2id$SECRET') - ` +
          `duplicate key value violates unique constraint "users_email_unique"\n - detail: Key (email)=(a@b.test) already exists.`,
      ),
      { code: '23505', detail: 'Key (email)=(a@b.test) already exists.', constraint: 'users_email_unique' },
    );

    const serialized = serializeError(error) as Record<string, unknown>;

    expect(serialized.message).toBe(
      'insert into "users" … - duplicate key value violates unique constraint "users_email_unique"',
    );
    expect(JSON.stringify(serialized)).not.toMatch(/SECRET|a@b\.test/);
    expect(serialized).toMatchObject({
      code: '23505',
      constraint: 'users_email_unique',
      detail: '[REDACTED]',
    });
  });

  it('leaves an error without SQL as pino would serialize it', () => {
    expect(stripSqlValues('connect ECONNREFUSED 127.0.0.1:5432')).toBe('connect ECONNREFUSED 127.0.0.1:5432');
    expect(serializeError(new Error('boom'))).toMatchObject({ type: 'Error', message: 'boom' });
  });
});
