// A stand-in subgraph in its own process, so a test can SIGSTOP (freeze) or kill it like a real service:
// every POST gets RESPONSE_BODY (JSON). Prints "LISTENING <port>" once it accepts connections.
const { createServer } = require('node:http');

const body = process.env.RESPONSE_BODY || '{"data":null}';
const server = createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
