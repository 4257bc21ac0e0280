// A stand-in service for the orchestrator's tests: health endpoints like the real ones, and knobs to
// misbehave. PORT as usual; FAKE_READY_DELAY_MS delays readiness; FAKE_GRANDCHILD=1 starts a child
// of its own (which must die with it); FAKE_IGNORE_SIGTERM=1 forces the supervisor to SIGKILL;
// FAKE_EXIT_AT_START=<code> exits at once; POST /die exits with code 3.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
if (process.env.FAKE_EXIT_AT_START) {
  process.stderr.write('fake service: configured to fail at start\n');
  process.exit(Number(process.env.FAKE_EXIT_AT_START));
}
const readyAt = Date.now() + Number(process.env.FAKE_READY_DELAY_MS ?? 0);
if (process.env.FAKE_GRANDCHILD === '1') {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  process.stdout.write(`grandchild pid ${child.pid}\n`);
}
const server = createServer((req, res) => {
  if (req.url === '/health/live') return res.writeHead(200).end('{"status":"ok"}');
  if (req.url === '/health/ready') return res.writeHead(Date.now() >= readyAt ? 200 : 503).end();
  if (req.url === '/env')
    return res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(process.env));
  if (req.method === 'POST' && req.url === '/die') {
    res.writeHead(202).end();
    process.stderr.write('fake service: dying on request\n');
    setTimeout(() => process.exit(3), 10);
    return;
  }
  res.writeHead(404).end();
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ level: 30, time: Date.now(), msg: 'fake service listening', port })}\n`,
  );
});
process.on('SIGTERM', () => {
  if (process.env.FAKE_IGNORE_SIGTERM === '1') {
    process.stdout.write('fake service: ignoring SIGTERM\n');
    return;
  }
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
