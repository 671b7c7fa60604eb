import { env } from '@atrium/platform/config';

/** Settings of the subgraph call path that are about cost, not protection (those are in config-hardening). */
export const subgraphCallSpec = {
  /**
   * Identical query fetches to one subgraph for the same principal and client, in flight at the same time, share
   * one call. Never applies to mutations.
   */
  SUBGRAPH_DEDUP: env.bool({ default: true }),
};

export interface SubgraphCallConfig {
  /** SUBGRAPH_DEDUP. */
  dedupSubgraphFetches: boolean;
}

export function subgraphCallConfig(raw: { SUBGRAPH_DEDUP: boolean }): SubgraphCallConfig {
  return { dedupSubgraphFetches: raw.SUBGRAPH_DEDUP };
}
