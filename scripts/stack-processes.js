// The processes one `npm start` runs, for a given environment: the four subgraphs, the generation worker when
// jobs go through a shared BullMQ queue (REDIS_URL set: the subgraph then runs no in-process worker, so without
// this process every job would stay QUEUED), and the gateway. Shared by scripts/start.js and its e2e test.
'use strict';

/** True when jobs go to a shared Redis queue that the generation subgraph does not work itself (inline worker off). */
function needsSeparateWorker(env) {
  return Boolean(env.REDIS_URL) && env.GENERATION_INLINE_WORKER !== 'true';
}

function stackProcesses(env) {
  const services = [
    { name: 'identity', entry: 'subgraphs/identity/dist/main.js', port: env.IDENTITY_PORT || 4001 },
    {
      name: 'integrations',
      entry: 'subgraphs/integrations/dist/main.js',
      port: env.INTEGRATIONS_PORT || 4002,
    },
    { name: 'generation', entry: 'subgraphs/generation/dist/main.js', port: env.GENERATION_PORT || 4003 },
    { name: 'monitoring', entry: 'subgraphs/monitoring/dist/main.js', port: env.MONITORING_PORT || 4004 },
  ];
  if (needsSeparateWorker(env))
    services.push({
      name: 'generation-worker',
      entry: 'subgraphs/generation/dist/worker/main.js',
      port: env.GENERATION_WORKER_PORT || 4005,
    });
  const gateway = { name: 'gateway', entry: 'gateway/dist/main.js', port: env.GATEWAY_PORT || 4000 };
  return { services, gateway };
}

module.exports = { stackProcesses, needsSeparateWorker };
