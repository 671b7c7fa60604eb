import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * Round-trip counters for the generation bench: how many SQL statements and Redis commands the stack spends per
 * job. Both count on the wire, so nothing in the services is instrumented.
 */

/**
 * A TCP proxy in front of PostgreSQL that counts statements: each simple `Query` ('Q') message and each `Sync`
 * ('S', the end of an extended-protocol Parse/Bind/Execute batch) is one client → server round trip.
 */
export class PostgresStatementCounter {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly sockets: Set<Socket>,
    private readonly tally: { statements: number },
  ) {}

  get statements(): number {
    return this.tally.statements;
  }

  static async start(target: { host: string; port: number }): Promise<PostgresStatementCounter> {
    const sockets = new Set<Socket>();
    const tally = { statements: 0 };
    const server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      sockets.add(client).add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      upstream.pipe(client);
      // Messages after the untyped startup packet are: type byte, int32 length (self-inclusive), body.
      let started = false;
      let pending: Buffer = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        upstream.write(chunk);
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        for (;;) {
          if (!started) {
            if (pending.length < 4) break;
            const length = pending.readInt32BE(0);
            if (pending.length < length) break;
            const code = pending.readInt32BE(4);
            pending = pending.subarray(length);
            // SSLRequest / GSSENC request are followed by another startup packet.
            if (code !== 80877103 && code !== 80877104) started = true;
            continue;
          }
          if (pending.length < 5) break;
          const length = pending.readInt32BE(1);
          if (pending.length < 1 + length) break;
          const type = String.fromCharCode(pending[0]!);
          if (type === 'Q' || type === 'S') tally.statements += 1;
          pending = pending.subarray(1 + length);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('proxy has no port');
    return new PostgresStatementCounter(server, address.port, sockets, tally);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** `redis-cli MONITOR`, counting the commands that name the bench's random key prefix (keys and channels). */
export class RedisCommandCounter {
  commands = 0;
  private constructor(private readonly child: ChildProcess) {}

  static async start(redisUrl: string, prefix: string): Promise<RedisCommandCounter> {
    const child = spawn('redis-cli', ['-u', redisUrl, 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const counter = new RedisCommandCounter(child);
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('OK')) resolve();
          // Commands a Lua script runs inside Redis are listed too (`[0 lua]`); they are not round trips.
          else if (line.includes(prefix) && !line.includes(' lua]')) counter.commands += 1;
        }
      });
    });
    return counter;
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await exited;
  }
}
