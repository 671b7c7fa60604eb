/**
 * A breaker state, in the words the rest of Atrium uses. One object for the type, the values and the GraphQL
 * enum (`@atrium/platform/federation` registers this very object as `CircuitState`).
 */
export const CircuitState = { CLOSED: 'CLOSED', OPEN: 'OPEN', HALF_OPEN: 'HALF_OPEN' } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];
