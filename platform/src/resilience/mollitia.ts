// The one file that touches mollitia. Its type declarations resolve only for ESM importers, so this CommonJS
// package loads it with require() and declares below the few members it uses — checked against mollitia 0.1.1
// (dist/index.js). Nothing untyped leaves this file.

import type { CircuitState } from './circuit-state';

type MollitiaState = 'closed' | 'half-opened' | 'opened';

interface MollitiaBreaker {
  state: MollitiaState;
  /** When the current state began (ms since epoch). */
  stateTimestamp: number;
  /** The sliding window; 0 = success, 1 = failure, 2 = slow. Reset on every state change. */
  requests: Array<{ result: 0 | 1 | 2 }>;
  /** The pending OPEN → HALF_OPEN transition (private in mollitia's typings, present at runtime). */
  openTimeout: ReturnType<typeof setTimeout> | 0;
  /** Whether the state read back from the breaker's storage before each call should replace its own. */
  isValidData(data: unknown): boolean;
  /** Reads the breaker's state from its storage (its own fields here), before every call. */
  getState(): Promise<unknown>;
  /** Writes the breaker's state to its storage (a no-op here), after every call. */
  setState(...args: unknown[]): Promise<void>;
  /** The breaker's part of `Circuit.execute`: the circuit is read only for its name and module list. */
  execute<T>(circuit: MollitiaCircuit, work: () => Promise<T>): Promise<T>;
  on(event: 'state-changed', listener: (state: MollitiaState) => void): unknown;
  dispose(): void;
}

interface MollitiaCircuit {
  execute<T>(work: () => Promise<T>): Promise<T>;
  dispose(): void;
}

interface Mollitia {
  Circuit: new (factory: {
    name: string;
    func: (work: () => Promise<unknown>) => Promise<unknown>;
    options: { modules: MollitiaBreaker[] };
  }) => MollitiaCircuit;
  SlidingCountBreaker: new (options: {
    name: string;
    slidingWindowSize: number;
    minimumNumberOfCalls: number;
    failureRateThreshold: number;
    slowCallRateThreshold: number;
    slowCallDurationThreshold: number;
    openStateDelay: number;
    permittedNumberOfCallsInHalfOpenState: number;
    onError: (error: unknown) => boolean;
  }) => MollitiaBreaker;
  /** Also the prototype of BreakerMaxAllowedRequestError (half-open and all probes taken): a mollitia quirk. */
  BreakerError: new () => Error;
  /** Registries every circuit and module is pushed to and never removed from. */
  circuits: unknown[];
  modules: unknown[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const mollitia = require('mollitia') as Mollitia;

const NO_STORED_STATE: Promise<unknown> = Promise.resolve(undefined);
const STORED: Promise<void> = Promise.resolve();

const STATES: Record<MollitiaState, CircuitState> = {
  closed: 'CLOSED',
  opened: 'OPEN',
  'half-opened': 'HALF_OPEN',
};

export interface CountBreakerSettings {
  slidingWindowSize: number;
  minimumNumberOfCalls: number;
  failureRateThreshold: number;
  openStateDelayMs: number;
  permittedNumberOfCallsInHalfOpenState: number;
  /** 0 disables slow-call counting. */
  slowCallDurationThresholdMs: number;
  slowCallRateThreshold: number;
  /** Whether a rejection counts against the dependency; false counts it as a success. */
  isFailure: (error: unknown) => boolean;
}

/** Thrown by `CountBreaker.run` when the breaker lets no call through. */
export class BreakerRejection extends Error {}

/** mollitia's SlidingCountBreaker inside a circuit, with a typed surface and timers that never hold a process. */
export class CountBreaker {
  private readonly breaker: MollitiaBreaker;
  private readonly circuit: MollitiaCircuit;
  private readonly listeners = new Set<(from: CircuitState, to: CircuitState) => void>();
  private lastState: CircuitState = 'CLOSED';
  private lastOpenedAt: number | null = null;

  constructor(
    name: string,
    private readonly settings: CountBreakerSettings,
  ) {
    this.breaker = new mollitia.SlidingCountBreaker({
      name: `${name}-breaker`,
      slidingWindowSize: settings.slidingWindowSize,
      minimumNumberOfCalls: settings.minimumNumberOfCalls,
      failureRateThreshold: settings.failureRateThreshold,
      slowCallRateThreshold: settings.slowCallRateThreshold,
      slowCallDurationThreshold: settings.slowCallDurationThresholdMs,
      openStateDelay: settings.openStateDelayMs,
      permittedNumberOfCallsInHalfOpenState: settings.permittedNumberOfCallsInHalfOpenState,
      onError: settings.isFailure,
    });
    // Before every call mollitia reads the breaker's state back from its storage, validates each entry of the
    // sliding window and copies the window over its own: O(window) per call. Without external storage (none is
    // configured here) that storage is the breaker's own fields, so the reload never changes anything.
    this.breaker.isValidData = () => false;
    // For the same reason the read and the write of that storage are constants rather than a new promise and
    // state objects per call (the write's results were never read).
    this.breaker.getState = () => NO_STORED_STATE;
    this.breaker.setState = () => STORED;
    this.circuit = new mollitia.Circuit({
      name,
      func: (work) => work(),
      options: { modules: [this.breaker] },
    });
    this.breaker.on('state-changed', (state) => this.changed(STATES[state]));
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    // The breaker is the circuit's only module, so Circuit.execute would only filter its module list (twice)
    // and call the breaker with `func`; calling the breaker directly saves that and an async frame per call.
    return this.breaker.execute(this.circuit, work).catch((error: unknown) => {
      if (error instanceof mollitia.BreakerError) throw new BreakerRejection(error.message);
      throw error;
    });
  }

  get state(): CircuitState {
    return STATES[this.breaker.state];
  }

  /** When the breaker last opened, while it is OPEN or HALF_OPEN. */
  get openedAt(): Date | null {
    if (this.breaker.state === 'opened') return new Date(this.breaker.stateTimestamp);
    if (this.breaker.state === 'half-opened' && this.lastOpenedAt !== null)
      return new Date(this.lastOpenedAt);
    return null;
  }

  /** Failures (and slow calls) in percent of the window, or null while too few calls were seen to judge. */
  get failureRate(): number | null {
    const { requests, state } = this.breaker;
    const needed =
      state === 'half-opened'
        ? this.settings.permittedNumberOfCallsInHalfOpenState
        : this.settings.minimumNumberOfCalls;
    if (state === 'opened' || requests.length === 0 || requests.length < needed) return null;
    return (requests.filter((request) => request.result !== 0).length / requests.length) * 100;
  }

  /** ms until an OPEN breaker lets a probe through, 0 otherwise. */
  get remainingOpenMs(): number {
    if (this.breaker.state !== 'opened') return 0;
    return Math.max(0, this.breaker.stateTimestamp + this.settings.openStateDelayMs - Date.now());
  }

  onStateChange(listener: (from: CircuitState, to: CircuitState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.listeners.clear();
    this.circuit.dispose();
    for (const registry of [mollitia.circuits, mollitia.modules]) {
      for (const item of [this.circuit, this.breaker]) {
        const index = registry.indexOf(item);
        if (index >= 0) registry.splice(index, 1);
      }
    }
  }

  private changed(to: CircuitState): void {
    // The OPEN → HALF_OPEN timer is background bookkeeping: it must not keep a finished process alive.
    if (this.breaker.openTimeout) this.breaker.openTimeout.unref?.();
    if (to === 'OPEN') this.lastOpenedAt = this.breaker.stateTimestamp;
    const from = this.lastState;
    this.lastState = to;
    for (const listener of this.listeners) {
      try {
        listener(from, to);
      } catch {
        // A failing observer must not break the breaker's own state machine.
      }
    }
  }
}
