/** Milliseconds since the epoch; tests of expiry replace `now` on the app's clock, which every service shares. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
