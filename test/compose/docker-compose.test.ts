// No Docker engine runs here, so docker-compose.yml and the Dockerfile are checked against the code they start:
// the variables each service's own config loader reads, the ports and URLs it derives, its package scripts.
import { generateKeyPairSync } from 'node:crypto';
import { loadGatewayConfig, SUBGRAPH_NAMES } from '@atrium/gateway/config';
import { loadGenerationConfig } from '@atrium/subgraph-generation/config';
import { loadIdentityConfig } from '@atrium/subgraph-identity/config';
import { loadIntegrationsConfig } from '@atrium/subgraph-integrations/config';
import { loadMonitoringConfig } from '@atrium/subgraph-monitoring/config';
import {
  containerEnvironment,
  interpolate,
  namesRead,
  rawEnvironment,
  readCompose,
  readDockerfile,
  readRepoFile,
  type ComposeService,
} from './stack-files';

type Loader = (source: Record<string, string | undefined>) => { port: number; production: boolean };

/** Each app service and the loader its process runs; the worker reads the generation subgraph's configuration. */
const LOADERS: Record<string, Loader> = {
  gateway: loadGatewayConfig,
  identity: loadIdentityConfig,
  integrations: loadIntegrationsConfig,
  generation: loadGenerationConfig,
  monitoring: loadMonitoringConfig,
  'generation-worker': loadGenerationConfig,
};
const APP_SERVICES = Object.keys(LOADERS);
/** Started only with `--profile observability` (test/compose/observability.test.ts checks their files). */
const OBSERVABILITY = ['prometheus', 'grafana'];
const SUBGRAPHS: readonly string[] = SUBGRAPH_NAMES;
// What an operator exports before `docker compose up`.
const SHELL = {
  INTERNAL_TOKEN_SECRET: 'compose-test-secret-0123456789abcdef',
  POSTGRES_PASSWORD: 'compose-test-pw',
  IDENTITY_SIGNING_KEYS: generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString(),
  IDENTITY_ENCRYPTION_KEY: 'compose-test-encryption-key-0123456789abcdef',
  INTEGRATIONS_ENCRYPTION_KEYS: `compose:${Buffer.alloc(32, 7).toString('base64')}`,
};

const compose = readCompose();
const dockerfile = readDockerfile();
const service = (name: string): ComposeService => compose.services[name] ?? {};
const env = (name: string) => containerEnvironment(service(name), SHELL);
const loaded = (name: string) => (LOADERS[name] as Loader)(env(name));
const words = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(' ') : (value ?? '');

describe('docker-compose.yml', () => {
  it('declares the backing services, the four subgraphs, the worker and the gateway', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['postgres', 'redis', ...APP_SERVICES, ...OBSERVABILITY].sort(),
    );
  });

  it.each(APP_SERVICES)('%s builds from the Dockerfile with a SERVICE the Dockerfile runs', (name) => {
    const build = service(name).build;
    expect(build).toMatchObject({ context: '.', dockerfile: 'Dockerfile', args: { SERVICE: name } });
    expect([...dockerfile.entries.keys()]).toContain(name);
  });

  it.each(APP_SERVICES)('%s sets only variables its code reads', (name) => {
    const read = namesRead(LOADERS[name] as Loader);
    const unread = Object.keys(rawEnvironment(service(name))).filter((variable) => !read.has(variable));
    expect(unread).toEqual([]);
  });

  it.each(APP_SERVICES)('%s starts in production mode with the environment compose gives it', (name) => {
    expect(() => loaded(name)).not.toThrow();
    expect(loaded(name).production).toBe(true);
  });

  it.each(APP_SERVICES)(
    '%s is given the secret and the PostgreSQL/Redis URLs whenever its code reads them',
    (name) => {
      const read = namesRead(LOADERS[name] as Loader);
      const missing = ['INTERNAL_TOKEN_SECRET', 'DATABASE_URL', 'REDIS_URL'].filter(
        (v) => read.has(v) && !env(name)[v],
      );
      expect(missing).toEqual([]);
    },
  );

  it.each(APP_SERVICES)('%s reaches PostgreSQL and Redis by their service names and credentials', (name) => {
    const { DATABASE_URL, REDIS_URL } = env(name);
    const postgres = containerEnvironment(service('postgres'), SHELL);
    if (DATABASE_URL !== undefined) {
      const url = new URL(DATABASE_URL);
      expect([url.protocol, url.hostname, url.port, url.username, url.password, url.pathname]).toEqual([
        'postgresql:',
        'postgres',
        '5432',
        postgres.POSTGRES_USER,
        postgres.POSTGRES_PASSWORD,
        `/${postgres.POSTGRES_DB}`,
      ]);
    }
    if (REDIS_URL !== undefined) expect(REDIS_URL).toBe('redis://redis:6379');
  });

  it('requires INTERNAL_TOKEN_SECRET from the operator everywhere instead of defaulting it', () => {
    for (const name of APP_SERVICES) {
      expect(rawEnvironment(service(name)).INTERNAL_TOKEN_SECRET).toMatch(
        /^\$\{INTERNAL_TOKEN_SECRET:\?[^}]+\}$/,
      );
      expect(() => containerEnvironment(service(name), { ...SHELL, INTERNAL_TOKEN_SECRET: '' })).toThrow(
        /INTERNAL_TOKEN_SECRET/,
      );
    }
  });

  it("points the gateway at each subgraph's service name and the port that subgraph listens on", () => {
    const gateway = loadGatewayConfig(env('gateway'));
    const defaults = loadGatewayConfig({ INTERNAL_TOKEN_SECRET: SHELL.INTERNAL_TOKEN_SECRET });
    for (const name of SUBGRAPH_NAMES) {
      const url = new URL(gateway.subgraphUrls[name]);
      expect([name, url.hostname, Number(url.port), url.pathname]).toEqual([
        name,
        name,
        loaded(name).port,
        new URL(defaults.subgraphUrls[name]).pathname,
      ]);
    }
  });

  it('has monitoring probe every process compose runs, at the port each one listens on', () => {
    const targets = loadMonitoringConfig(env('monitoring')).targets;
    expect(targets.map((target) => target.name).sort()).toEqual([...APP_SERVICES].sort());
    for (const target of targets) {
      const url = new URL(target.url);
      expect([target.name, url.hostname, Number(url.port)]).toEqual([
        target.name,
        target.name,
        loaded(target.name).port,
      ]);
    }
  });

  it.each(APP_SERVICES)('%s has a healthcheck on /readyz at the port it listens on', (name) => {
    const healthcheck = service(name).healthcheck;
    expect(healthcheck?.disable).not.toBe(true);
    expect(words(healthcheck?.test)).toContain(`http://127.0.0.1:${loaded(name).port}/readyz`);
  });

  it('checks PostgreSQL with pg_isready and Redis with redis-cli ping', () => {
    expect(words(service('postgres').healthcheck?.test)).toMatch(/\bpg_isready\b/);
    expect(words(service('redis').healthcheck?.test)).toMatch(/\bredis-cli ping\b/);
  });

  it('waits for dependencies to be healthy: subgraphs and worker on PostgreSQL and Redis, gateway on subgraphs', () => {
    const expected = (name: string) => (name === 'gateway' ? SUBGRAPHS : ['postgres', 'redis']);
    for (const name of APP_SERVICES) {
      // The list form means "started", which is not "ready".
      const dependsOn = service(name).depends_on;
      const conditions = Array.isArray(dependsOn)
        ? dependsOn.map((dependency) => [dependency, 'service_started'])
        : Object.entries(dependsOn ?? {}).map(([dependency, { condition }]) => [dependency, condition]);
      expect(conditions.map(([dependency]) => dependency)).toEqual(
        expect.arrayContaining([...expected(name)]),
      );
      for (const [dependency, condition] of conditions) {
        expect([name, dependency, condition]).toEqual([name, dependency, 'service_healthy']);
      }
    }
  });

  it('publishes only the gateway, on 4000; the observability profile only on localhost', () => {
    const published = Object.entries(compose.services).filter(([, s]) => (s.ports ?? []).length > 0);
    expect(published.map(([name]) => name).sort()).toEqual(['gateway', ...OBSERVABILITY].sort());
    expect(service('gateway').ports).toEqual([`4000:${loaded('gateway').port}`]);
    for (const name of OBSERVABILITY) {
      expect(service(name).profiles).toEqual(['observability']);
      for (const port of service(name).ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('runs Redis with the noeviction policy BullMQ needs', () => {
    expect(words(service('redis').command)).toMatch(/--maxmemory-policy noeviction\b/);
  });
});

describe('Dockerfile', () => {
  const finalStage = dockerfile.finalStage.join('\n');

  it.each([...dockerfile.entries])('SERVICE=%s runs %s, a script of its package', (_name, entry) => {
    const [pkg, file] = entry.split(/\/(?=dist\/)/) as [string, string];
    const scripts = (JSON.parse(readRepoFile(`${pkg}/package.json`)) as { scripts?: Record<string, string> })
      .scripts;
    expect(Object.values(scripts ?? {})).toContain(`node ${file}`);
    expect(dockerfile.runtimePackages).toContain(pkg);
  });

  it('accepts exactly the services compose builds', () => {
    expect([...dockerfile.entries.keys()].sort()).toEqual([...APP_SERVICES].sort());
  });

  it('installs the pnpm the repository pins, from the lockfile, and builds', () => {
    const pinned = (JSON.parse(readRepoFile('package.json')) as { packageManager: string }).packageManager;
    expect(dockerfile.text).toContain(`npm install -g ${pinned}`);
    expect(dockerfile.text).toMatch(/^RUN pnpm install --frozen-lockfile --offline\n/m);
    expect(dockerfile.text).toMatch(/^RUN pnpm fetch\n/m);
    expect(dockerfile.text).toMatch(/RUN pnpm build\n/);
    const stages = [...dockerfile.text.matchAll(/^FROM \S+ AS (\S+)/gim)].map(([, stage]) => stage);
    const images = [...dockerfile.text.matchAll(/^FROM (\S+)/gim)].map(([, image]) => image as string);
    expect([...new Set(images.filter((image) => !stages.includes(image)))]).toEqual([
      'node:20-bookworm-slim',
    ]);
  });

  it('copies the supergraph the gateway reads into the runtime image', () => {
    expect(dockerfile.text).toMatch(/cp schema\/supergraph\.graphql \/out\/schema\//);
    expect(dockerfile.text).toMatch(/COPY --from=runtime-files \/out\/ \/app\//);
  });

  it('runs as a non-root user in production mode', () => {
    expect(finalStage).toMatch(/^USER (?!root\b|0\b)\S+/m);
    expect(finalStage).toMatch(/^ENV NODE_ENV=production\b/m);
  });

  it("has a HEALTHCHECK on /healthz with node's fetch, defaulting to the ports the services default to", () => {
    expect(dockerfile.healthcheck).toMatch(
      /CMD \["node", "-e", ".*fetch\('http:\/\/127\.0\.0\.1:' \+ port \+ '\/healthz'/,
    );
    const defaults = Object.fromEntries(
      [
        ...(/defaults = \{([^}]*)\}/.exec(dockerfile.healthcheck ?? '')?.[1] ?? '').matchAll(
          /([a-z]+): (\d+)/g,
        ),
      ].map(([, name, port]) => [name, Number(port)]),
    );
    const expected = Object.fromEntries(
      APP_SERVICES.filter((name) => !name.endsWith('-worker')).map((name) => [
        name,
        (LOADERS[name] as Loader)({
          INTERNAL_TOKEN_SECRET: SHELL.INTERNAL_TOKEN_SECRET,
          IDENTITY_ENCRYPTION_KEY: SHELL.IDENTITY_ENCRYPTION_KEY,
          INTEGRATIONS_ENCRYPTION_KEYS: SHELL.INTEGRATIONS_ENCRYPTION_KEYS,
        }).port,
      ]),
    );
    expect(defaults).toEqual(expected);
  });
});

describe('.dockerignore', () => {
  const patterns = readRepoFile('.dockerignore')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));

  it('keeps host node_modules and build output out of the build context', () => {
    expect(patterns).toEqual(expect.arrayContaining(['**/node_modules', '**/dist']));
  });

  it('keeps the committed supergraph and the lockfile in it', () => {
    const dropsNeeded = (pattern: string) =>
      /schema|graphql|pnpm-lock|package\.json/.test(pattern) || /^\*\*?$/.test(pattern);
    expect(patterns.filter(dropsNeeded)).toEqual([]);
  });
});

describe('the compose interpolation used above', () => {
  it('substitutes like Compose, so a missing required variable is caught here too', () => {
    expect(interpolate('a$${B}-${C:-d}-${E-f}-${G:+h}', { C: '', E: '', G: 'x' })).toBe('a${B}-d--h');
    expect(() => interpolate('${X:?set X}', { X: '' })).toThrow(
      'required variable X is missing a value: set X',
    );
    expect(interpolate('${X?set X}', { X: '' })).toBe('');
  });
});
