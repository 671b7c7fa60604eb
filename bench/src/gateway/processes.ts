import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
const REGISTER = join(__dirname, '../../../scripts/ts-register.js');
// Linux reports process CPU in clock ticks of 1/100 s (`getconf CLK_TCK` on every common kernel).
const TICKS_PER_SECOND = 100;

export interface Service {
  child: ChildProcess;
  /** The first stdout line matching the ready pattern. */
  ready: RegExpExecArray;
  /** User + system CPU seconds the process has used so far (all its threads). */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point of the tree in its own process and waits for `ready` on its stdout. */
export async function startService(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
  /** Extra node options (e.g. `--cpu-prof` to profile a run, `-r <file>` to preload one after the TS hook). */
  nodeArgs: string[] = [],
  options: {
    /** Pins the process to these CPUs (`taskset -c`, which execs node: the pid stays the process's). */
    cpus?: string;
    /** Opens an IPC channel (child.send / process.send), e.g. for bench/src/compare/probe.ts. */
    ipc?: boolean;
    /** Another checkout of the tree to run `entry` from (its own TypeScript hook and sources), e.g. a baseline. */
    root?: string;
  } = {},
): Promise<Service> {
  const [preloads, others] = partition(nodeArgs);
  const root = options.root ?? ROOT;
  const register = options.root ? join(options.root, 'scripts', 'ts-register.js') : REGISTER;
  const args = [...others, '-r', register, ...preloads, join(root, entry)];
  const [command, argv] = options.cpus
    ? ['taskset', ['-c', options.cpus, process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, argv, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const match = await new Promise<RegExpExecArray>((done, fail) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const found = ready.exec(buffered);
      if (found) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        done(found);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${entry} exited before it was ready (${code})`)));
  });
  return {
    child,
    ready: match,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `-r <file>` pairs must come after the TypeScript hook, which compiles them. */
function partition(nodeArgs: string[]): [string[], string[]] {
  const preloads: string[] = [];
  const others: string[] = [];
  for (let i = 0; i < nodeArgs.length; i++) {
    if (nodeArgs[i] === '-r' && nodeArgs[i + 1]) preloads.push('-r', nodeArgs[++i]!);
    else others.push(nodeArgs[i]!);
  }
  return [preloads, others];
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state; utime and stime are 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
