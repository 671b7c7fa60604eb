import 'reflect-metadata';
import { loadGatewayConfig } from '@atrium/gateway/config';
import { createGatewayServer } from '@atrium/gateway/server';
import { readSupergraph } from '@atrium/gateway/supergraph';
import {
  describeWithRedis,
  freshSqliteDatabase,
  Leftovers,
  randomRedisPrefix,
  testServices,
  trickleHeaders,
  silentLogger,
} from '@atrium/platform/testing';
import { createGenerationWorker, loadGenerationConfig } from '@atrium/subgraph-generation';
import { createIdentityServer, loadIdentityConfig } from '@atrium/subgraph-identity';

const SECRET = 'slow-client-test-internal-secret-0123456789abcdef';
const log = silentLogger('slow-client-test');
// Every service gets the same short header timeout; the client would need 40 s to send its 40 bytes.
const HEADERS_TIMEOUT_MS = '1000';
const TRICKLE = { intervalMs: 1000, maxBytes: 40 };

/**
 * A slow-loris client sending one header byte per second must lose its socket once the header timeout passed,
 * on every process's HTTP shell: Node only checks the timeout every `connectionsCheckingInterval` (30 s by
 * default), which the shell lowers. The assertion is the mechanism (closed by the server with 408 long before
 * the client ran out of bytes), not a duration.
 */
describeWithRedis('a slow client trickling headers', () => {
  const leftovers = new Leftovers();
  afterAll(() => leftovers.dispose());

  const env = {
    INTERNAL_TOKEN_SECRET: SECRET,
    IDENTITY_ENCRYPTION_KEY: 'slow-client-test-encryption-key-0123456789',
    LOG_LEVEL: 'silent',
    HEADERS_TIMEOUT_MS,
  };

  async function expectClosedByServer(origin: string): Promise<void> {
    const result = await trickleHeaders(origin, TRICKLE);
    expect(result.closedByServer).toBe(true);
    expect(result.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(result.bytesSent).toBeLessThan(TRICKLE.maxBytes / 2);
  }

  it('is disconnected by a subgraph, the gateway and the worker health server', async () => {
    const identityData = leftovers.add(await freshSqliteDatabase(), (d) => d.drop());
    const identity = leftovers.add(
      await createIdentityServer({
        config: loadIdentityConfig({ ...env, ATRIUM_DATA_DIR: identityData.dataDir }),
        log,
      }),
      (s) => s.stop(),
    );
    const subgraph = await identity.listen(0, '127.0.0.1');

    const gateway = leftovers.add(
      await createGatewayServer({
        config: loadGatewayConfig({ ...env, IDENTITY_URL: subgraph.url }),
        supergraphSdl: readSupergraph(),
        log,
      }),
      (s) => s.stop(),
    );
    const gatewayAt = await gateway.listen(0, '127.0.0.1');

    const workerData = leftovers.add(await freshSqliteDatabase(), (d) => d.drop());
    const worker = leftovers.add(
      await createGenerationWorker({
        config: loadGenerationConfig({
          ...env,
          ATRIUM_DATA_DIR: workerData.dataDir,
          REDIS_URL: testServices.redisUrl,
          REDIS_KEY_PREFIX: randomRedisPrefix('slow-client'),
        }),
        log,
      }),
      (w) => w.stop(),
    );
    const workerAt = await worker.listen(0, '127.0.0.1');

    await Promise.all([subgraph.origin, gatewayAt.origin, workerAt.origin].map(expectClosedByServer));
  }, 120_000);
});
