// Monaco (GraphiQL's editor) asks for a worker per language; each is a file of our own origin, built beside this
// bundle by build.js, so nothing is fetched from a CDN and the CSP can stay `worker-src 'self'`.
const WORKERS: Record<string, string> = {
  graphql: 'graphql.worker.js',
  json: 'json.worker.js',
};

(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return new Worker(`/assets/${WORKERS[label] ?? 'editor.worker.js'}`, { name: label });
  },
};
