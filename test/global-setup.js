// Probes PostgreSQL and Redis once per test run. Suites that need them read ATRIUM_TEST_*_URL; where a
// service is missing they skip with a written reason, unless REQUIRE_SERVICES=1, where the run fails here.
const net = require('node:net');
const { buildConsole } = require('../console/build');

function reachable(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

module.exports = async function globalSetup() {
  // The gateway serves the browser pages from console/dist; building is skipped when its sources are unchanged.
  await buildConsole();
  const redisUrl = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
  const postgresUrl = process.env.TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const [redis, postgres] = await Promise.all([reachable(redisUrl), reachable(postgresUrl)]);
  const missing = [!redis && `Redis (${redisUrl})`, !postgres && `PostgreSQL (${postgresUrl})`].filter(
    Boolean,
  );
  if (missing.length > 0 && process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`REQUIRE_SERVICES=1 but not reachable: ${missing.join(', ')}`);
  }
  if (missing.length > 0) console.warn(`\n[atrium] suites needing ${missing.join(' and ')} will be skipped`);
  process.env.ATRIUM_TEST_REDIS_URL = redis ? redisUrl : '';
  process.env.ATRIUM_TEST_POSTGRES_URL = postgres ? postgresUrl : '';
};
