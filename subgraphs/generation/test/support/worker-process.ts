import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Leftovers, TestEnv } from '@atrium/platform/testing';
import { SECRET } from './harness';

const ROOT = resolve(__dirname, '../../../..');
const ENTRY = join(ROOT, 'subgraphs/generation/src/worker/main.ts');
const REGISTER = join(__dirname, '../../../../scripts/ts-register.js');

export interface WorkerProcess {
  child: ChildProcess;
  /** Every JSON log line the worker wrote so far. */
  logs: Array<Record<string, unknown>>;
  /** Resolves with the worker's health URL once it logged `ready`. */
  ready: Promise<string>;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Job ids this worker logged as ended (one line per terminal write it won). */
  ended(): string[];
}

/**
 * Starts `src/worker/main.ts` as its own Node process (compiled on the fly by swc, so tests need no build) — a real
 * second process with its own Redis connections, killable with SIGKILL.
 */
export function spawnWorker(env: TestEnv, leftovers: Leftovers): WorkerProcess {
  const child = spawn(process.execPath, ['-r', REGISTER, ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      INTERNAL_TOKEN_SECRET: SECRET,
      LOG_LEVEL: 'info',
      GENERATION_WORKER_PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const ready = new Promise<string>((resolveReady, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'ready') resolveReady(String(entry.url));
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('exit', (code, signal) =>
      reject(new Error(`worker exited (${signal ?? code}) before ready: ${stderr.slice(0, 2000)}`)),
    );
  });
  ready.catch(() => undefined);
  leftovers.defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  });
  return {
    child,
    logs,
    ready,
    exited,
    ended: () => logs.filter((l) => l.msg === 'generation job ended').map((l) => String(l.jobId)),
  };
}
