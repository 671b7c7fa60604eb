import { ConfigError, ConfigProblem, describeConfig, env, loadConfig, type VarSpec } from '../../src/config';

const DEV_SECRET = 'dev-only-internal-secret-change-me-in-production';

const spec = {
  NODE_ENV: env.oneOf(['development', 'test', 'production'] as const, { default: 'development' }),
  PORT: env.port({ default: 4000 }),
  WORKERS: env.int({ default: 2, min: 1, max: 16 }),
  DEBUG: env.bool({ default: false }),
  HOST: env.string({ default: '0.0.0.0' }),
  CORS_ORIGINS: env.list({ default: ['http://localhost:3000'] }),
  REDIS_URL: env.optionalUrl({ protocols: ['redis', 'rediss:'] }),
  JWKS_URL: env.url({ default: 'http://127.0.0.1:4001/.well-known/jwks.json', protocols: ['http', 'https'] }),
  INTERNAL_TOKEN_SECRET: env.secret({ devDefault: DEV_SECRET }),
  NICKNAME: env.optionalString(),
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns typed defaults for an empty environment, so embedded mode needs no configuration', () => {
    const config = loadConfig(spec, {});
    expect(config).toEqual({
      NODE_ENV: 'development',
      PORT: 4000,
      WORKERS: 2,
      DEBUG: false,
      HOST: '0.0.0.0',
      CORS_ORIGINS: ['http://localhost:3000'],
      REDIS_URL: undefined,
      JWKS_URL: 'http://127.0.0.1:4001/.well-known/jwks.json',
      INTERNAL_TOKEN_SECRET: DEV_SECRET,
      NICKNAME: undefined,
    });
  });

  it('parses every kind of value from the source', () => {
    const config = loadConfig(spec, {
      NODE_ENV: 'test',
      PORT: '0',
      WORKERS: ' 16 ',
      DEBUG: 'YES',
      HOST: '127.0.0.1',
      CORS_ORIGINS: ' https://a.example , ,https://b.example,',
      REDIS_URL: 'rediss://user:pw@cache:6380/2',
      JWKS_URL: 'https://identity/.well-known/jwks.json',
      INTERNAL_TOKEN_SECRET: 'short-but-fine-outside-production',
      NICKNAME: 'atrium',
    });
    expect(config.PORT).toBe(0);
    expect(config.WORKERS).toBe(16);
    expect(config.DEBUG).toBe(true);
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.REDIS_URL).toBe('rediss://user:pw@cache:6380/2');
    expect(config.INTERNAL_TOKEN_SECRET).toBe('short-but-fine-outside-production');
    expect(config.NICKNAME).toBe('atrium');
  });

  it('treats an empty or blank variable as missing', () => {
    const config = loadConfig(spec, { PORT: '', WORKERS: '   ', NICKNAME: '' });
    expect(config.PORT).toBe(4000);
    expect(config.WORKERS).toBe(2);
    expect(config.NICKNAME).toBeUndefined();
  });

  it('returns a frozen object whose lists are frozen too', () => {
    const config = loadConfig(spec, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
    expect(() => config.CORS_ORIGINS.push('https://evil.example')).toThrow(TypeError);
  });

  it('reports every bad variable at once, with its value and the allowed values', () => {
    const source = {
      NODE_ENV: 'staging',
      PORT: '70000',
      WORKERS: '1.5',
      DEBUG: 'maybe',
      REDIS_URL: 'http://cache:6379',
      JWKS_URL: 'not a url',
    };
    let error: unknown;
    try {
      loadConfig(spec, source);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toEqual([
      'NODE_ENV="staging": expected one of: development, test, production',
      'PORT="70000": expected an integer 0..65535',
      'WORKERS="1.5": expected an integer 1..16',
      'DEBUG="maybe": expected one of: true, false, 1, 0, yes, no',
      'REDIS_URL="http://cache:6379": expected an absolute URL (redis, rediss) (optional)',
      'JWKS_URL="not a url": expected an absolute URL (http, https)',
    ]);
    for (const problem of problems) expect(message).toContain(problem);
    expect(message).toMatch(/^Invalid configuration \(6 problems\)/);
  });

  it('names a required variable that is missing', () => {
    const problems = problemsOf(() =>
      loadConfig({ TENANT: env.string(), LIMIT: env.int({ min: 1, max: 10 }) }, {}),
    );
    expect(problems).toEqual([
      'TENANT=(unset): is required; expected any text',
      'LIMIT=(unset): is required; expected an integer 1..10',
    ]);
  });

  it('checks a string against its whole pattern and describes it in words', () => {
    const slug = { SLUG: env.string({ pattern: /[a-z]+/g, allowed: 'lowercase letters' }) };
    expect(loadConfig(slug, { SLUG: 'atrium' }).SLUG).toBe('atrium');
    expect(loadConfig(slug, { SLUG: 'atrium' }).SLUG).toBe('atrium');
    expect(problemsOf(() => loadConfig(slug, { SLUG: 'atrium-2' }))).toEqual([
      'SLUG="atrium-2": expected lowercase letters',
    ]);
  });

  it('rejects integers written in other notations', () => {
    for (const raw of ['1e3', '0x10', '12abc', '9007199254740993']) {
      expect(
        problemsOf(() => loadConfig({ N: env.int({ max: Number.MAX_SAFE_INTEGER }) }, { N: raw })),
      ).toEqual([`N="${raw}": expected an integer`]);
    }
    expect(loadConfig({ N: env.int({ max: Number.MAX_SAFE_INTEGER }) }, { N: '-42' }).N).toBe(-42);
  });

  it('never shows URL credentials in a problem', () => {
    const problems = problemsOf(() =>
      loadConfig(
        { DATABASE_URL: env.url({ protocols: ['postgresql'] }) },
        { DATABASE_URL: 'mysql://admin:hunter2@db/app' },
      ),
    );
    expect(problems).toEqual(['DATABASE_URL="mysql://***@db/app": expected an absolute URL (postgresql)']);
  });

  it('shortens a long value in a problem', () => {
    const problems = problemsOf(() => loadConfig({ MODE: env.oneOf(['a', 'b']) }, { MODE: 'x'.repeat(500) }));
    expect(problems[0]!.length).toBeLessThan(150);
  });

  it('includes the message of a custom spec that throws a plain error', () => {
    const custom: VarSpec<number> = {
      parse: (raw) => {
        if (raw !== 'ok') throw new Error('must be ok');
        return 1;
      },
    };
    expect(problemsOf(() => loadConfig({ CUSTOM: custom }, { CUSTOM: 'no' }))).toEqual([
      'CUSTOM="no": must be ok',
    ]);
    expect(describeConfig({ CUSTOM: custom })).toEqual([
      { name: 'CUSTOM', default: undefined, allowed: 'custom', secret: false },
    ]);
  });

  it('gives each parser the variable name and the production flag', () => {
    const seen: unknown[] = [];
    const probe: VarSpec<string> = {
      parse: (raw, ctx) => {
        seen.push(ctx);
        if (raw === 'bad') throw new ConfigProblem('expected good');
        return raw ?? '';
      },
    };
    loadConfig(
      { NODE_ENV: env.string({ default: 'development' }), PROBE: probe },
      { NODE_ENV: 'production' },
    );
    expect(seen).toEqual([{ name: 'PROBE', production: true }]);
  });
});

describe('env.secret', () => {
  const secretSpec = { NODE_ENV: env.optionalString(), SIGNING_KEY: env.secret({ devDefault: DEV_SECRET }) };
  const realSecret = 'k3y-'.repeat(10);

  it('falls back to the development default outside production', () => {
    expect(loadConfig(secretSpec, { NODE_ENV: 'development' }).SIGNING_KEY).toBe(DEV_SECRET);
  });

  it('accepts a long, non-default secret in production', () => {
    expect(loadConfig(secretSpec, { NODE_ENV: 'production', SIGNING_KEY: realSecret }).SIGNING_KEY).toBe(
      realSecret,
    );
  });

  it.each([
    ['missing', undefined, 'SIGNING_KEY=(unset): is required in production'],
    ['the development default', DEV_SECRET, 'SIGNING_KEY=[REDACTED]: is the development default'],
    ['too short', 'tiny-secret-value-123', 'SIGNING_KEY=[REDACTED]: is shorter than 32 characters'],
  ])('refuses a secret that is %s in production, without echoing it', (_case, value, expected) => {
    let error: ConfigError | undefined;
    try {
      loadConfig(secretSpec, { NODE_ENV: 'production', SIGNING_KEY: value });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(1);
    expect(error!.problems[0]).toContain(expected);
    expect(error!.problems[0]).toContain('at least 32 characters');
    if (value) {
      expect(error!.message).not.toContain(value);
      expect(JSON.stringify(error!.problems)).not.toContain(value);
    }
  });

  it('honours a custom minimum length', () => {
    const short = { NODE_ENV: env.optionalString(), KEY: env.secret({ devDefault: 'dev', minLength: 8 }) };
    expect(loadConfig(short, { NODE_ENV: 'production', KEY: '12345678' }).KEY).toBe('12345678');
    expect(() => loadConfig(short, { NODE_ENV: 'production', KEY: '1234567' })).toThrow(ConfigError);
  });

  describe('without a development default (INTERNAL_TOKEN_SECRET)', () => {
    const PUBLISHED = 'a-value-everyone-can-read-in-the-repository';
    const noDefault = {
      NODE_ENV: env.optionalString(),
      KEY: env.secret({ refused: [PUBLISHED], missing: 'generated per data directory' }),
    };

    it('is required outside production too, saying how development gets one', () => {
      expect(problemsOf(() => loadConfig(noDefault, { NODE_ENV: 'development' }))).toEqual([
        expect.stringMatching(/^KEY=\(unset\): is required \(generated per data directory\)/),
      ]);
      expect(problemsOf(() => loadConfig(noDefault, { NODE_ENV: 'production' }))).toEqual([
        expect.stringMatching(/^KEY=\(unset\): is required in production/),
      ]);
    });

    it('refuses a published value in every environment, without echoing it', () => {
      for (const NODE_ENV of ['development', 'test', 'production']) {
        const problems = problemsOf(() => loadConfig(noDefault, { NODE_ENV, KEY: PUBLISHED }));
        expect(problems).toEqual([
          expect.stringMatching(/^KEY=\[REDACTED\]: is a published development value/),
        ]);
        expect(JSON.stringify(problems)).not.toContain(PUBLISHED);
      }
    });

    it('takes any other set value outside production, and a long one in production', () => {
      expect(loadConfig(noDefault, { KEY: 'short-dev-key' }).KEY).toBe('short-dev-key');
      expect(loadConfig(noDefault, { NODE_ENV: 'production', KEY: 'k'.repeat(32) }).KEY).toBe('k'.repeat(32));
    });
  });

  it('hides a custom secret parser error message, which may quote the value', () => {
    const leaky: VarSpec<string> = {
      description: { allowed: 'a key', secret: true },
      parse: (raw) => {
        throw new Error(`bad key ${raw}`);
      },
    };
    const problems = problemsOf(() => loadConfig({ KEY: leaky }, { KEY: 'sup3r-s3cret' }));
    expect(problems).toEqual(['KEY=[REDACTED]: is invalid']);
  });
});

describe('describeConfig', () => {
  it('lists every variable with its default and allowed values, never a secret value', () => {
    const rows = describeConfig(spec);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(spec));
    expect(rows).toContainEqual({
      name: 'PORT',
      default: '4000',
      allowed: 'an integer 0..65535',
      secret: false,
    });
    expect(rows).toContainEqual({
      name: 'CORS_ORIGINS',
      default: 'http://localhost:3000',
      allowed: 'a comma-separated list',
      secret: false,
    });
    expect(rows).toContainEqual({
      name: 'NODE_ENV',
      default: 'development',
      allowed: 'one of: development, test, production',
      secret: false,
    });
    const secretRow = rows.find((r) => r.name === 'INTERNAL_TOKEN_SECRET');
    expect(secretRow?.secret).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(DEV_SECRET);
  });
});
