import { safeMessage, stripUrlCredentials } from '../../src/logging';

describe('stripUrlCredentials', () => {
  it('replaces the userinfo of every URL, in any letter case of the scheme, inside JSON and free text', () => {
    const line = JSON.stringify({
      msg: 'retrying REDIS://default:p@ss:w0rd@cache:6379/0 and https://user@example.test/x',
      err: { stack: 'Error: at postgres://app:db-secret@db.internal/atrium' },
    });
    const stripped = stripUrlCredentials(line);
    expect(stripped).not.toMatch(/p@ss|w0rd|db-secret|user@/);
    expect(JSON.parse(stripped)).toEqual({
      msg: 'retrying REDIS://***@cache:6379/0 and https://***@example.test/x',
      err: { stack: 'Error: at postgres://***@db.internal/atrium' },
    });
  });

  it('returns text without a scheme separator unchanged (the fast path of most log lines)', () => {
    const text = '{"level":30,"user":"ada@example.test","auth":"user:pass@host","msg":"graphql operation"}\n';
    expect(stripUrlCredentials(text)).toBe(text);
    expect(stripUrlCredentials('a://b')).toBe('a://b');
    expect(stripUrlCredentials('x a://u:p@h')).toBe('x a://***@h');
  });

  it('shortens a safe message after stripping', () => {
    expect(safeMessage('connect redis://u:secret@h failed', 20)).toBe('connect redis://***…');
  });
});
