// The emulator benchmark's baseline: a bare node:http server that reads each
// request body and answers with a fixed JSON body of the emulator's own size.
// Run as its own process, like the emulator. Prints its URL on stdout.
//   BARE_BODIES='{"reserve":"…","settle":"…"}' node bench/bare-server.mjs
import { createServer } from 'node:http';

const bodies = JSON.parse(process.env.BARE_BODIES ?? '{"reserve":"{}","settle":"{}"}');
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const reserve = req.url.endsWith('/reserve');
    const body = reserve ? bodies.reserve : bodies.settle;
    res.writeHead(reserve ? 201 : 200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'X-Request-Id': 'req_0000000000000000',
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
