import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BufferedDestination, createLogger } from '../../src/logging';
import { Leftovers, waitFor } from '../../src/testing';

const ROOT = resolve(__dirname, '../../..');
const LOGGING = join(ROOT, 'platform/src/logging/index.ts');
const RUN_SERVICE = join(ROOT, 'platform/src/server/run-service.ts');

describe('BufferedDestination', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  function fileDestination(options: { maxBufferedChars?: number; flushMs?: number } = {}) {
    const dir = leftovers.tempDir('atrium-log-');
    const path = join(dir, 'log.jsonl');
    const fd = openSync(path, 'a');
    const destination = new BufferedDestination({ fd, flushMs: 60_000, ...options });
    leftovers.defer(() => {
      destination.flushSync();
      closeSync(fd);
    });
    const log = createLogger({ service: 'buffered', level: 'debug', pretty: false, destination });
    const raw = () => readFileSync(path, 'utf8');
    const messages = () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
    return { destination, log, messages, raw };
  }

  it('holds info lines until a flush, then writes them in order', async () => {
    const { destination, log, messages } = fileDestination();
    log.info('one');
    log.debug('two');
    log.info('three');
    expect(messages()).toEqual([]);
    destination.flushSync();
    expect(messages()).toEqual(['one', 'two', 'three']);
  });

  it('writes a warning or an error at once, after the lines buffered before it', async () => {
    const { log, messages } = fileDestination();
    log.info('before');
    log.warn('careful');
    expect(messages()).toEqual(['before', 'careful']);
    log.info('after');
    log.error('failed');
    expect(messages()).toEqual(['before', 'careful', 'after', 'failed']);
  });

  it('writes once the buffer holds maxBufferedChars', async () => {
    const { log, messages } = fileDestination({ maxBufferedChars: 400 });
    log.info('first');
    expect(messages()).toEqual([]);
    log.info({ padding: 'x'.repeat(400) }, 'second');
    expect(messages()).toEqual(['first', 'second']);
  });

  it('writes buffered lines by itself after flushMs', async () => {
    const { log, messages } = fileDestination({ flushMs: 20 });
    log.info('waiting');
    await waitFor(() => messages().includes('waiting'), 'the timer to write the buffered line');
  });

  it('writes lines redacted', async () => {
    const { destination, log, raw } = fileDestination();
    log.info({ password: 'buffered-secret-1', url: 'redis://u:buffered-secret-2@cache:6379' }, 'signed in');
    destination.flushSync();
    expect(raw()).toContain('signed in');
    expect(raw()).not.toContain('buffered-secret');
  });
});

/** Runs `script` in a fresh node process with the TypeScript hook; returns its stdout lines and stderr. */
async function runChild(script: string): Promise<{ lines: string[]; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, ['-r', join(ROOT, 'scripts/ts-register.js'), '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('close', (exitCode) => done(exitCode)));
  return { lines: stdout.split('\n').filter(Boolean), stderr, code };
}

const messagesOf = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);

describe('the default stdout destination of createLogger', () => {
  const logger = `const { createLogger } = require(${JSON.stringify(LOGGING)});
    const log = createLogger({ service: 'child', pretty: false });`;

  it('writes a batch of lines with one write instead of one per line', async () => {
    const { lines, stderr } = await runChild(`
      const fs = require('node:fs');
      let writes = 0;
      const writeSync = fs.writeSync;
      fs.writeSync = (fd, ...rest) => { if (fd === 1) writes++; return writeSync(fd, ...rest); };
      ${logger}
      for (let i = 0; i < 50; i++) log.info({ i }, 'line');
      log.flush();
      fs.writeSync = writeSync;
      process.stderr.write('writes=' + writes + '\\n');`);
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    expect(stderr).toContain('writes=1\n');
  });

  it.each([
    ['process.exit', `log.info('last words'); process.exit(3);`, 3],
    ['the end of the event loop', `log.info('last words');`, 0],
    ['an uncaught exception', `log.info('last words'); setImmediate(() => { throw new Error('boom'); });`, 1],
    ['an unhandled rejection', `log.info('last words'); Promise.reject(new Error('boom'));`, 1],
  ])('loses no buffered line on %s', async (_, exit, expectedCode) => {
    const { lines, code } = await runChild(`${logger}
      for (let i = 0; i < 5; i++) log.info('early');
      ${exit}`);
    expect(code).toBe(expectedCode);
    expect(messagesOf(lines)).toEqual(['early', 'early', 'early', 'early', 'early', 'last words']);
  });

  it('keeps the fatal line of a service that failed to start', async () => {
    const { lines, code } = await runChild(`${logger}
      const { runService } = require(${JSON.stringify(RUN_SERVICE)});
      log.info('starting');
      runService(log, async () => { throw new Error('no database'); }, { port: 0, host: '127.0.0.1' });`);
    expect(code).toBe(1);
    expect(messagesOf(lines)).toEqual(['starting', 'failed to start']);
  });
});
