import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { HealthRegistry, type QueueStatus } from '../health';
import { createPolicy, type Policy } from '../resilience';
import type { Leftovers } from './leftovers';

export interface HealthFixtureOptions {
  version?: string;
  /** The breaker's name. Default `provider:<service>`. */
  breaker?: string;
  /** Registers a queue of this name whose counts the test sets in `queue`. */
  queue?: string;
  /** Registers these counters with their starting values; the test changes them in `counters`. */
  counters?: Record<string, number>;
  /** Check timeout of the registry. Default 500 ms. */
  timeoutMs?: number;
}

/**
 * A service's health as the platform reports it, with parts the test controls: one database check it can fail,
 * one breaker (a real resilience policy, opened the way real failures open it), a queue and counters whose values
 * it sets. `start()` serves the platform health routes on port 0 (`stop()`/`start()` keep the port).
 */
export class HealthFixture {
  readonly health: HealthRegistry;
  readonly breaker: Policy;
  databaseDown = false;
  queue: QueueStatus = {
    waiting: 0,
    active: 0,
    delayed: 0,
    failed: 0,
    completed: 0,
    oldestWaitingSeconds: null,
  };
  counters: Record<string, number>;
  private server: Server | undefined;
  private port = 0;

  constructor(
    readonly name: string,
    options: HealthFixtureOptions = {},
  ) {
    this.health = new HealthRegistry({
      service: name,
      version: options.version ?? '1.0.0',
      timeoutMs: options.timeoutMs ?? 500,
    });
    this.health.register({
      name: 'database',
      kind: 'database',
      check: async () => {
        if (this.databaseDown) throw new Error('connection refused');
      },
    });
    this.breaker = createPolicy({
      name: options.breaker ?? `provider:${name}`,
      timeoutMs: 1000,
      breaker: {
        slidingWindowSize: 2,
        minimumNumberOfCalls: 2,
        failureRateThreshold: 50,
        openStateDelayMs: 600_000,
        permittedNumberOfCallsInHalfOpenState: 1,
      },
    });
    this.health.registerBreakers(() => [this.breaker]);
    if (options.queue) this.health.registerQueue(options.queue, async () => ({ ...this.queue }));
    this.counters = { ...options.counters };
    for (const counter of Object.keys(this.counters))
      this.health.registerCounter(counter, () => this.counters[counter] ?? 0);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Opens the breaker the way real failures do: enough failed calls in its window. */
  async tripBreaker(): Promise<void> {
    for (let i = 0; i < 2; i++)
      await this.breaker.execute(() => Promise.reject(new Error('provider failed'))).catch(() => undefined);
  }

  async start(): Promise<this> {
    const server = createServer(express().use(this.health.routes()));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  dispose(): Promise<void> {
    this.breaker.dispose();
    return this.stop();
  }
}

/** A `HealthFixture` serving its routes on port 0, disposed with `leftovers`. */
export async function serveHealthFixture(
  leftovers: Leftovers,
  name: string,
  options?: HealthFixtureOptions,
): Promise<HealthFixture> {
  return leftovers.add(await new HealthFixture(name, options).start(), (fixture) => fixture.dispose());
}
