import type { Logger } from '@atrium/platform/logging';
import type { Metrics } from '@atrium/platform/metrics';
import type { GatewayServer } from './server';
import { COMMITTED_SUPERGRAPH_PATH, readSupergraph } from './supergraph';

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'failed';

export interface SupergraphReloadOptions {
  server: Pick<GatewayServer, 'reloadSupergraph' | 'metrics'>;
  /** The file the gateway was started from (SUPERGRAPH_PATH). Default: the committed schema/supergraph.graphql. */
  path?: string;
  log: Logger;
}

/**
 * Reads the supergraph file again and serves it. A file that cannot be read or is not a valid supergraph is
 * logged and the gateway keeps serving the one it has: an operator's typo never takes the API down. Running
 * subscriptions end with SUBSCRIPTION_SCHEMA_RELOAD only when the schema really changed.
 */
export function reloadSupergraphFromFile(options: SupergraphReloadOptions): ReloadOutcome {
  const path = options.path ?? COMMITTED_SUPERGRAPH_PATH;
  let outcome: ReloadOutcome;
  try {
    outcome = options.server.reloadSupergraph(readSupergraph(path)) ? 'reloaded' : 'unchanged';
  } catch (error) {
    options.log.error(
      { err: error, path },
      'supergraph reload failed; still serving the previous supergraph',
    );
    outcome = 'failed';
  }
  if (outcome !== 'failed') options.log.info({ path, outcome }, 'supergraph reload');
  reloadCounter(options.server.metrics).inc({ outcome });
  return outcome;
}

/** SIGHUP reloads the supergraph from its file (see reloadSupergraphFromFile). Returns a function that stops it. */
export function reloadSupergraphOnSighup(options: SupergraphReloadOptions): () => void {
  // Registered now so that /metrics shows the series (at 0) before the first reload.
  reloadCounter(options.server.metrics);
  const onSignal = () => void reloadSupergraphFromFile(options);
  process.on('SIGHUP', onSignal);
  return () => process.off('SIGHUP', onSignal);
}

function reloadCounter(metrics: Metrics) {
  return metrics.counter(
    'gateway_supergraph_reloads_total',
    'Supergraph reloads asked for (SIGHUP), by outcome: reloaded, unchanged, failed (the previous one is kept)',
    ['outcome'],
  );
}
