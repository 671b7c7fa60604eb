import { spawn, type ChildProcess } from 'node:child_process';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** The URL the service logged with `ready`. */
  url: string;
  stop(): Promise<void>;
}

/** Starts a compiled Atrium service and resolves once it logged `ready` (JSON logs on stdout). */
export function startService(
  name: string,
  entry: string,
  env: Record<string, string>,
  cwd: string,
): Promise<ServiceProcess> {
  // BENCH_CPU_PROF=<dir>: every service writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, entry], {
    cwd,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'ready' && entry.url) resolve({ name, child, url: entry.url, stop });
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited (${signal ?? code}) before ready: ${stderr.slice(0, 2000)}`)),
    );
  });
}
