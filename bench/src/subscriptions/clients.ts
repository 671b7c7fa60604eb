// One client process of `pnpm bench:subscriptions`: holds its share of the subscriber sockets (graphql-ws
// clients, one socket each) so the client side is spread over several processes and is not what limits the
// measured latency. Driven by its parent over IPC:
//   { type: 'open', url, query, subscribers: [{ channel, user }] } → 'opened' once every subscription got its
//     snapshot (progress as 'progress' messages);
//   { type: 'collect' } → 'latencies' (ms from publish to `next`, one per delivery after the snapshot);
//   { type: 'close' } → disposes every client and exits.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface OpenCommand {
  type: 'open';
  url: string;
  query: string;
  subscribers: { channel: string; user: string }[];
}

export type ClientCommand = OpenCommand | { type: 'collect' } | { type: 'close' };

export type ClientReport =
  | { type: 'progress'; snapshots: number }
  | { type: 'opened' }
  | { type: 'latencies'; values: number[]; errors: number }
  | { type: 'failed'; message: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (report: ClientReport) => process.send!(report);

const clients: Client[] = [];
let latencies: number[] = [];
let errors = 0;

async function open(command: OpenCommand): Promise<void> {
  let connected = 0;
  let snapshots = 0;
  for (let i = 0; i < command.subscribers.length; i++) {
    const { channel, user } = command.subscribers[i]!;
    const client = createClient({
      url: command.url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 5,
      keepAlive: 0,
      onNonLazyError: () => undefined,
      on: { connected: () => void connected++ },
      connectionParams: { authorization: `Bearer user:${user}` },
    });
    clients.push(client);
    let first = true;
    client.subscribe<{ ticks: { at: number } }>(
      { query: command.query, variables: { c: channel } },
      {
        next: (result) => {
          if (first) {
            first = false;
            snapshots++;
            return;
          }
          const at = result.data?.ticks.at;
          if (at === undefined) errors++;
          else latencies.push(performance.timeOrigin + performance.now() - at);
        },
        error: () => void errors++,
        complete: () => undefined,
      },
    );
    // Connect in batches, so the listen backlog never overflows.
    if (i % 50 === 49) {
      while (connected < i + 1) await sleep(2);
      send({ type: 'progress', snapshots });
    }
  }
  while (snapshots < command.subscribers.length) {
    await sleep(20);
    send({ type: 'progress', snapshots });
  }
  send({ type: 'opened' });
}

process.on('message', (command: ClientCommand) => {
  if (command.type === 'open') {
    open(command).catch((error: unknown) => send({ type: 'failed', message: String(error) }));
  } else if (command.type === 'collect') {
    send({ type: 'latencies', values: latencies, errors });
    latencies = [];
    errors = 0;
  } else {
    void Promise.all(clients.map((client) => client.dispose())).finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
