export {
  createPolicy,
  type BreakerOptions,
  CircuitState,
  type ExecuteOptions,
  type Policy,
  type PolicyOptions,
  type PolicyState,
  type RetryOptions,
  type StateChange,
} from './policy';
export { PolicyRegistry } from './registry';
export { CircuitOpenError, PolicyDisposedError, PolicyTimeoutError } from './errors';
export { fullJitterDelay, withTimeout } from './timing';
export { Stop, type StopSignal } from './stop';
