// Child process for bench/serve.mjs: the baseline, a bare node:http pass-through proxy that pipes
// request and response bodies to and from the upstream and does nothing else.
import http from 'node:http';

const upstream = new URL(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const server = http.createServer((req, res) => {
  const up = http.request(
    { host: upstream.hostname, port: upstream.port, path: `${upstream.pathname}${req.url.replace(/^\/v1/, '')}`, method: req.method, headers: req.headers, agent },
    (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    },
  );
  up.on('error', () => res.destroy());
  req.pipe(up);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}/v1\n`));
process.on('SIGTERM', () => process.exit(0));
