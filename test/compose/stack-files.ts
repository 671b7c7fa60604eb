import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '@atrium/platform/config';

/** The repository root: this file lives in test/compose/. */
export const ROOT = join(__dirname, '..', '..');

export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: Array<string | { target?: number; published?: string | number }>;
  profiles?: string[];
  volumes?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** docker-compose.yml with its `<<` merge keys resolved, as Compose resolves them. */
export function readCompose(text = readRepoFile('docker-compose.yml')): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/** A service's environment as written (before interpolation); `KEY` alone or `KEY:` (null) means pass-through. */
export function rawEnvironment(service: ComposeService): Record<string, string | undefined> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, undefined] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [name, value === null ? undefined : String(value)]),
  );
}

const REFERENCE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Compose's variable interpolation ($$, $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
 * ${VAR?error}, ${VAR:+alt}, ${VAR+alt}) against `shell`. Throws where Compose refuses to start.
 */
export function interpolate(value: string, shell: Record<string, string | undefined>): string {
  return value.replace(
    REFERENCE,
    (_match, dollar?: string, braced?: string, op?: string, arg = '', bare?: string) => {
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      const current = shell[name];
      const set = op?.startsWith(':') ? current !== undefined && current !== '' : current !== undefined;
      switch (op?.replace(':', '')) {
        case '-':
          return set ? (current as string) : arg;
        case '?':
          if (!set) throw new Error(`required variable ${name} is missing a value: ${arg}`);
          return current as string;
        case '+':
          return set ? arg : '';
        default:
          return current ?? '';
      }
    },
  );
}

/** The environment a container receives: interpolated values, pass-through names taken from `shell`. */
export function containerEnvironment(
  service: ComposeService,
  shell: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(rawEnvironment(service)).map(([name, value]) => [
      name,
      value === undefined ? shell[name] : interpolate(value, shell),
    ]),
  );
}

/** The names a config loader reads from its source, recorded by running the loader itself on an empty source. */
export function namesRead(load: (source: Record<string, string | undefined>) => unknown): Set<string> {
  const read = new Set<string>();
  const source = new Proxy({} as Record<string, string | undefined>, {
    get(_target, key) {
      if (typeof key === 'string') read.add(key);
      return undefined;
    },
  });
  try {
    load(source);
  } catch (error) {
    // An empty source is invalid (INTERNAL_TOKEN_SECRET is required); the loader read every name before it threw.
    if (!(error instanceof ConfigError)) throw error;
  }
  return read;
}

export interface DockerfileFacts {
  text: string;
  /** SERVICE build-arg values the Dockerfile accepts, with the file each one runs. */
  entries: Map<string, string>;
  /** The packages whose package.json, node_modules and dist the runtime image receives. */
  runtimePackages: string[];
  /** The HEALTHCHECK instruction, continuation lines joined; undefined when there is none. */
  healthcheck: string | undefined;
  /** Instructions of the last stage (the image that runs), continuation lines joined. */
  finalStage: string[];
}

export function readDockerfile(text = readRepoFile('Dockerfile')): DockerfileFacts {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const entries = new Map<string, string>();
  for (const [, labels, entry] of text.matchAll(/^\s*([a-z|-]+)\)\s*entry="?([^";\s]+)"?\s*;;/gm)) {
    for (const label of (labels as string).split('|'))
      entries.set(label, (entry as string).replace('${SERVICE}', label));
  }
  const lastFrom = instructions.map((line) => /^FROM\s/i.test(line)).lastIndexOf(true);
  return {
    text,
    entries,
    runtimePackages: (/for pkg in ([^;]+);/.exec(text)?.[1] ?? '').trim().split(/\s+/),
    healthcheck: instructions.find((line) => /^HEALTHCHECK\s/i.test(line)),
    finalStage: instructions.slice(lastFrom),
  };
}

/** Every atrium_ metric name a PromQL text uses. */
export function metricsUsed(promql: string): string[] {
  return [...new Set(promql.match(/\batrium_[a-z0-9_]+/g) ?? [])];
}

/** The PromQL of the Prometheus rules and of every Grafana dashboard panel in ops/. */
export function observabilityExpressions(): string[] {
  const rules = parse(readRepoFile('ops/prometheus/atrium.rules.yml')) as {
    groups: Array<{ rules: Array<{ expr: string }> }>;
  };
  const dashboard = JSON.parse(readRepoFile('ops/grafana/dashboards/atrium.json')) as {
    panels: Array<{ targets: Array<{ expr: string }> }>;
  };
  return [
    ...rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr)),
    ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
  ];
}
