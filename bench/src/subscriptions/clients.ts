// One client process of `pnpm bench:subscriptions`: holds its share of the subscriber sockets (one socket and
// one subscription each) so the client side is spread over several processes. Driven by its parent over IPC:
//   { type: 'open', url, query, subscribers: [{ channel, user }] } → 'opened' once every subscription got its
//     snapshot (progress as 'progress' messages);
//   { type: 'collect' } → 'latencies' (ms from publish to `next`, one per delivery after the snapshot) and the
//     process's CPU seconds so far;
//   { type: 'close' } → closes every socket and exits.
//
// Why not the graphql-ws client: at 10k fan-out subscribers every event is 10k frames that all client
// processes must take on one core (BENCH_CLIENT_CPUS, shared with the ticker subgraph). The full client
// (message validation, JSON.parse of each frame, its sinks and promises) cost 35-58 µs of client CPU per
// delivery, i.e. 0.35-0.6 s of one core per event — as much as the server under test, so the measured tail was
// partly the clients' queue. This is a minimal `graphql-transport-ws` client over raw `ws` (connection_init/ack,
// subscribe, next/error/complete, ping → pong) that reads `at` out of the frame without parsing the rest,
// with UTF-8 validation off; it is the same for both servers. Correctness is still checked: every delivery is
// counted, the first `next` of each subscription (the snapshot) is not, and an `error`, a `next` with errors or
// without `at`, or a socket closing early count as errors. The e2e tests use the real graphql-ws client.
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
  | { type: 'latencies'; values: number[]; errors: number; cpuSeconds: number }
  | { type: 'failed'; message: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const send = (report: ClientReport) => process.send!(report);

const sockets: WebSocket[] = [];
let latencies: number[] = [];
let errors = 0;
let closing = false;

const AT = '"at":';
const NEXT = '"type":"next"';

/** The `at` of a `next` frame without parsing it; undefined when it carries errors or no `at`. */
function atOf(text: string): number | undefined {
  if (text.includes('"errors":')) return undefined;
  const index = text.lastIndexOf(AT);
  if (index < 0) return undefined;
  const at = parseFloat(text.slice(index + AT.length, index + AT.length + 24));
  return Number.isFinite(at) ? at : undefined;
}

/** One socket with one subscription; `onAck` once the server acknowledged, `onSnapshot` on its first `next`. */
function subscribe(
  command: OpenCommand,
  subscriber: { channel: string; user: string },
  onAck: () => void,
  onSnapshot: () => void,
): void {
  const socket = new WebSocket(command.url, 'graphql-transport-ws', {
    skipUTF8Validation: true,
    perMessageDeflate: false,
  });
  sockets.push(socket);
  let first = true;
  socket.on('open', () =>
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer user:${subscriber.user}` },
      }),
    ),
  );
  socket.on('message', (data: Buffer) => {
    const text = data.toString();
    if (text.includes(NEXT)) {
      if (first) {
        first = false;
        onSnapshot();
        return;
      }
      const at = atOf(text);
      if (at === undefined) errors++;
      else latencies.push(performance.timeOrigin + performance.now() - at);
      return;
    }
    const message = JSON.parse(text) as { type: string };
    if (message.type === 'connection_ack') {
      onAck();
      socket.send(
        JSON.stringify({
          id: '1',
          type: 'subscribe',
          payload: { query: command.query, variables: { c: subscriber.channel } },
        }),
      );
    } else if (message.type === 'ping') socket.send('{"type":"pong"}');
    else if (message.type === 'error' || message.type === 'complete') errors++;
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    if (!closing) errors++;
  });
}

async function open(command: OpenCommand): Promise<void> {
  let connected = 0;
  let snapshots = 0;
  for (let i = 0; i < command.subscribers.length; i++) {
    subscribe(
      command,
      command.subscribers[i]!,
      () => void connected++,
      () => void snapshots++,
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
    const cpu = process.cpuUsage();
    send({ type: 'latencies', values: latencies, errors, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    latencies = [];
    errors = 0;
  } else {
    closing = true;
    for (const socket of sockets) socket.close(1000);
    setTimeout(() => process.exit(0), 200);
  }
});
process.on('disconnect', () => process.exit(0));
