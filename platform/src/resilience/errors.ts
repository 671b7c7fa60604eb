/**
 * The policy's breaker is open (or half-open with every probe taken): the call was rejected without running.
 * `retryable` is false because retrying now is rejected the same way; `retryAfterMs` says when a probe may pass.
 */
export class CircuitOpenError extends Error {
  readonly code = 'CIRCUIT_OPEN';
  readonly retryable = false;

  constructor(
    readonly policy: string,
    readonly retryAfterMs: number,
  ) {
    super(`Circuit "${policy}" is open`);
    this.name = 'CircuitOpenError';
  }
}

/**
 * One attempt took longer than the policy's timeout; its AbortSignal was aborted with this error as reason.
 * `retryable` is true: safe to retry for idempotent work only (the dependency may have acted on the request).
 */
export class PolicyTimeoutError extends Error {
  readonly code = 'TIMEOUT';
  readonly retryable = true;

  constructor(
    readonly policy: string,
    readonly timeoutMs: number,
  ) {
    super(`"${policy}" did not answer within ${timeoutMs} ms`);
    this.name = 'PolicyTimeoutError';
  }
}

/** The policy was disposed while the call was running or waiting to retry. */
export class PolicyDisposedError extends Error {
  readonly code = 'POLICY_DISPOSED';
  readonly retryable = false;

  constructor(readonly policy: string) {
    super(`Policy "${policy}" was disposed`);
    this.name = 'PolicyDisposedError';
  }
}
