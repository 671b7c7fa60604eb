import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import {
  BullMqQueueProvider,
  MemoryQueueProvider,
  QueueClosedError,
  QueueUnavailableError,
  type QueueJob,
  type QueueProvider,
} from '../../src/queue';
import { describeWithRedis, Leftovers, randomRedisPrefix, testServices } from '../../src/testing';
import { CLOSED_PORT_URL, deleteKeys, sleep, TcpProxy, waitFor, onConnection } from './helpers';

type Payload = { n: number };

/** What every job queue must do, in-process or on BullMQ. */
function jobQueueContract(makeProvider: (keyPrefix: string) => QueueProvider): void {
  const leftovers = new Leftovers();
  let provider: QueueProvider;

  beforeEach(() => {
    provider = leftovers.add(makeProvider(randomRedisPrefix('queue')), (it) => it.close());
  });
  afterEach(() => leftovers.dispose());

  test('runs a job with its data and counts it completed', async () => {
    const seen: Array<Omit<QueueJob<Payload>, 'signal'>> = [];
    provider.worker<Payload>('jobs', async ({ signal: _signal, ...job }) => void seen.push(job), {
      concurrency: 1,
    });
    const { id } = await provider.queue<Payload>('jobs').add('generate', { n: 1 });

    await waitFor(async () => (await provider.queue('jobs').counts()).completed === 1);
    expect(seen).toEqual([{ id, name: 'generate', data: { n: 1 }, attempt: 1 }]);
  });

  test('retries a throwing handler with exponential backoff, then succeeds', async () => {
    const attempts: Array<{ attempt: number; at: number }> = [];
    provider.worker<Payload>(
      'flaky',
      async (job) => {
        attempts.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt < 3) throw new Error('provider timeout');
      },
      { concurrency: 1 },
    );
    await provider.queue<Payload>('flaky').add('generate', { n: 1 }, { backoffMs: 100 });

    await waitFor(async () => (await provider.queue('flaky').counts()).completed === 1);
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
    const [first, second, third] = attempts.map((entry) => entry.at);
    expect(second! - first!).toBeGreaterThanOrEqual(90);
    expect(third! - second!).toBeGreaterThanOrEqual(190);
    expect((await provider.queue('flaky').counts()).failed).toBe(0);
  });

  test('fails a job once its attempts are spent', async () => {
    let calls = 0;
    provider.worker(
      'doomed',
      async () => {
        calls++;
        throw new Error('always');
      },
      { concurrency: 1 },
    );
    await provider.queue('doomed').add('generate', {}, { attempts: 2, backoffMs: 10 });

    await waitFor(async () => (await provider.queue('doomed').counts()).failed === 1);
    expect(calls).toBe(2);
  });

  test('adds a job once per jobId', async () => {
    const queue = provider.queue<Payload>('dedupe');
    const first = await queue.add('generate', { n: 1 }, { jobId: 'job-abc' });
    const second = await queue.add('generate', { n: 2 }, { jobId: 'job-abc' });
    expect(second.id).toBe(first.id);
    expect(await queue.counts()).toMatchObject({ waiting: 1 });

    const data: Payload[] = [];
    provider.worker<Payload>('dedupe', async (job) => void data.push(job.data), { concurrency: 1 });
    await waitFor(async () => (await queue.counts()).completed === 1);
    expect((await queue.add('generate', { n: 3 }, { jobId: 'job-abc' })).id).toBe(first.id);
    await sleep(50);
    expect(data).toEqual([{ n: 1 }]);
  });

  test('runs at most `concurrency` handlers at once', async () => {
    let running = 0;
    let maxRunning = 0;
    provider.worker(
      'parallel',
      async () => {
        maxRunning = Math.max(maxRunning, ++running);
        await sleep(60);
        running--;
      },
      { concurrency: 2 },
    );
    const queue = provider.queue('parallel');
    for (let n = 0; n < 6; n++) await queue.add('generate', { n });

    await waitFor(async () => (await queue.counts()).completed === 6);
    expect(maxRunning).toBe(2);
  });

  test('holds a delayed job back until its delay has passed', async () => {
    let ranAt = 0;
    provider.worker('later', async () => void (ranAt = Date.now()), { concurrency: 1 });
    const queue = provider.queue('later');
    const addedAt = Date.now();
    await queue.add('generate', {}, { delayMs: 300 });
    expect(await queue.counts()).toMatchObject({ delayed: 1, waiting: 0 });

    await waitFor(() => ranAt > 0);
    expect(ranAt - addedAt).toBeGreaterThanOrEqual(290);
  });

  test('counts waiting jobs and the age of the oldest', async () => {
    const queue = provider.queue('backlog');
    expect(await queue.counts()).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
      completed: 0,
      oldestWaitingSeconds: null,
    });
    await queue.add('generate', { n: 1 });
    await sleep(300);
    await queue.add('generate', { n: 2 });
    const counts = await queue.counts();
    expect(counts.waiting).toBe(2);
    expect(counts.oldestWaitingSeconds).toBeGreaterThanOrEqual(0.29);
    expect(counts.oldestWaitingSeconds).toBeLessThan(2);
  });

  test('close() aborts job.signal, and a job interrupted by it goes back to the queue unspent', async () => {
    let started = false;
    const worker = provider.worker(
      'shutdown',
      async (job) => {
        started = true;
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
        throw new Error('interrupted by shutdown');
      },
      { concurrency: 1 },
    );
    const queue = provider.queue('shutdown');
    await queue.add('generate', {});
    await waitFor(() => started);

    await worker.close();
    expect(await queue.counts()).toMatchObject({ waiting: 1, active: 0, failed: 0 });

    const attempts: number[] = [];
    provider.worker('shutdown', async (job) => void attempts.push(job.attempt), { concurrency: 1 });
    await waitFor(async () => (await queue.counts()).completed === 1);
    expect(attempts).toEqual([1]);
  });

  test('close() waits for a running handler to finish', async () => {
    let started = false;
    let finished = false;
    const worker = provider.worker(
      'drain',
      async () => {
        started = true;
        await sleep(200);
        finished = true;
      },
      { concurrency: 1 },
    );
    const queue = provider.queue('drain');
    await queue.add('generate', {});
    // The handler itself must be running: a job already counted active may not have reached it yet.
    await waitFor(async () => started);

    await worker.close();
    expect(finished).toBe(true);
    expect(await queue.counts()).toMatchObject({ completed: 1, active: 0 });
  });

  test('close() gives up on a handler that ignores the signal after closeTimeoutMs', async () => {
    let release: () => void = () => undefined;
    const worker = provider.worker('stuck', () => new Promise<void>((resolve) => (release = resolve)), {
      concurrency: 1,
      closeTimeoutMs: 100,
    });
    await provider.queue('stuck').add('generate', {});
    await waitFor(async () => (await provider.queue('stuck').counts()).active === 1);

    const startedAt = Date.now();
    await worker.close();
    expect(Date.now() - startedAt).toBeLessThan(1000);
    release();
  });

  test('a closed queue refuses jobs; bad options are refused the same way on every backend', async () => {
    const queue = provider.queue('closed');
    await expect(queue.add('generate', {}, { jobId: '42' })).rejects.toThrow('jobId must not be an integer');
    await expect(queue.add('generate', {}, { jobId: 'a:b' })).rejects.toThrow(TypeError);
    await expect(queue.add('generate', {}, { attempts: 0 })).rejects.toThrow(RangeError);
    await queue.close();
    await expect(queue.add('generate', {})).rejects.toBeInstanceOf(QueueClosedError);
  });
}

describe('JobQueue contract: memory', () => {
  jobQueueContract(() => new MemoryQueueProvider());
});
// In a process of its own: Node prints its leak warning on the real process object, which a test file's sandbox
// does not see. Sixteen jobs at once each listen on their stop signal, as the generation worker does; with Node's
// default limit of 10 listeners that printed MaxListenersExceededWarning, a leak warning where there is no leak.
test('a worker running more than 10 jobs at once, each listening on its signal, prints no leak warning', () => {
  const script = `
    const { MemoryQueueProvider } = require('./platform/src/queue');
    process.on('warning', (warning) => console.log('WARNING ' + warning.name));
    const provider = new MemoryQueueProvider();
    let running = 0, peak = 0, done = 0;
    provider.worker('wide', async ({ signal }) => {
      const stop = () => undefined;
      signal.addEventListener('abort', stop, { once: true });
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 50));
      running--;
      signal.removeEventListener('abort', stop);
      if (++done === 16) setTimeout(() => provider.close().then(() => console.log('DONE peak ' + peak)), 20);
    }, { concurrency: 16 });
    (async () => { for (let n = 0; n < 16; n++) await provider.queue('wide').add('generate', { n }); })();
  `;
  const output = execFileSync(process.execPath, ['-r', './scripts/ts-register.js', '-e', script], {
    cwd: join(__dirname, '../../..'),
    encoding: 'utf8',
  });
  expect(output).toMatch(/DONE peak (1[1-6])/);
  expect(output).not.toContain('WARNING');
});

describeWithRedis('JobQueue contract: BullMQ', () => {
  const prefixes: string[] = [];
  afterAll(() => Promise.all(prefixes.map((prefix) => deleteKeys(testServices.redisUrl!, prefix))));
  jobQueueContract((keyPrefix) => {
    prefixes.push(keyPrefix);
    return onConnection(
      testServices.redisUrl!,
      (connection) => new BullMqQueueProvider({ connection, keyPrefix }),
    );
  });
});

describeWithRedis('BullMQ queue', () => {
  const leftovers = new Leftovers();
  afterEach(() => leftovers.dispose());

  test('a producer fails fast with QueueUnavailableError when Redis is unreachable', async () => {
    const provider = leftovers.add(
      onConnection(
        CLOSED_PORT_URL,
        (connection) => new BullMqQueueProvider({ connection, keyPrefix: randomRedisPrefix('down') }),
      ),
      (it) => it.close(),
    );
    const queue = provider.queue('jobs');
    const startedAt = Date.now();
    await expect(queue.add('generate', {})).rejects.toBeInstanceOf(QueueUnavailableError);
    await expect(queue.add('generate', {})).rejects.toThrow('job queue "jobs" is unavailable');
    await expect(queue.counts()).rejects.toBeInstanceOf(QueueUnavailableError);
    expect(Date.now() - startedAt).toBeLessThan(2500);
  });

  test('a job whose worker died (lock expired) is run again by another worker', async () => {
    const url = testServices.redisUrl!;
    const keyPrefix = randomRedisPrefix('stalled');
    leftovers.defer(() => deleteKeys(url, keyPrefix));
    const proxy = leftovers.add(await new TcpProxy(Number(new URL(url).port)).start(), (it) => it.stop());
    // The doomed worker reaches Redis only through the proxy: cutting it is a crash as Redis sees it.
    const doomed = leftovers.add(
      onConnection(proxy.url, (connection) => new BullMqQueueProvider({ connection, keyPrefix })),
      (it) => it.close(),
    );
    const healthy = leftovers.add(
      onConnection(url, (connection) => new BullMqQueueProvider({ connection, keyPrefix })),
      (it) => it.close(),
    );
    let doomedStarted = false;
    doomed.worker(
      'work',
      async (job) => {
        doomedStarted = true;
        await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
      },
      { concurrency: 1, lockDurationMs: 1000, closeTimeoutMs: 100 },
    );
    const { id } = await healthy.queue('work').add('generate', {});
    await waitFor(() => doomedStarted);
    await proxy.stop();

    const rerun: Array<{ id: string; attempt: number }> = [];
    healthy.worker('work', async (job) => void rerun.push({ id: job.id, attempt: job.attempt }), {
      concurrency: 1,
      lockDurationMs: 1000,
    });
    await waitFor(async () => (await healthy.queue('work').counts()).completed === 1, { timeoutMs: 8000 });
    expect(rerun).toEqual([{ id, attempt: 1 }]);
  });
});
