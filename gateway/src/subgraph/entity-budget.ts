import { gatewayErrors } from '../errors';

/** How many entity representations the gateway sends for one client request. */
export interface EntityLimits {
  /**
   * Representations in one `_entities` fetch: more and the fetch is not sent. Default 500
   * (MAX_ENTITY_REPRESENTATIONS, the same variable and default as the subgraphs' own cap, so a plan the gateway
   * sends is one the subgraph accepts).
   */
  perFetch: number;
  /** Representations over every fetch of one client request. Default 2000 (MAX_REQUEST_ENTITY_REPRESENTATIONS). */
  perRequest: number;
}

/**
 * Counts the entity representations each client request makes the gateway send, at execution time. The cost
 * limit only estimates list sizes before execution (a list without `first` is assumed to hold
 * COST_DEFAULT_LIST_SIZE items), so a plan whose lists turn out longer could otherwise fetch any number of
 * entities: this bound holds whatever the plan and whatever the subgraphs return.
 */
export class EntityBudget {
  // Keyed by the request's context object, which every fetch of one request shares; gone with the request.
  private readonly used = new WeakMap<object, number>();

  constructor(private readonly limits: EntityLimits) {}

  /**
   * Takes `count` representations for one fetch of `request` (undefined: a fetch outside a client request).
   * @throws TOO_MANY_ENTITIES, before anything is sent, when the fetch or the request would go over its limit.
   */
  take(request: object | undefined, count: number, subgraph: string): void {
    if (count > this.limits.perFetch)
      throw tooMany(`One fetch from ${subgraph} would resolve ${count} entities`, {
        service: subgraph,
        limit: this.limits.perFetch,
        scope: 'fetch',
      });
    // Most fetches carry no representations: nothing to count, and no table entry for the request.
    if (!request || count === 0) return;
    const total = (this.used.get(request) ?? 0) + count;
    if (total > this.limits.perRequest)
      throw tooMany(`This request would resolve more than ${this.limits.perRequest} entities`, {
        service: subgraph,
        limit: this.limits.perRequest,
        scope: 'request',
      });
    this.used.set(request, total);
  }
}

function tooMany(
  message: string,
  extensions: { service: string; limit: number; scope: 'fetch' | 'request' },
) {
  return gatewayErrors.TOO_MANY_ENTITIES(
    `${message}; ask for fewer items (smaller pages, fewer nested lists).`,
    {
      ...extensions,
    },
  );
}

/** The number of representations an `_entities` fetch carries; 0 for any other fetch. */
export function representationCount(variables: Record<string, unknown> | undefined): number {
  const representations = variables?.representations;
  return Array.isArray(representations) ? representations.length : 0;
}
