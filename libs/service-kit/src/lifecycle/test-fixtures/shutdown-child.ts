// A tiny "service" for the signal tests: registers steps named on the command line and waits.
// argv: <mode> where mode is `ok`, `failing` or `hanging`.
import { createLogger } from '../../logging/index.ts';
import { installSignalHandlers, onShutdown } from '../index.ts';

const mode = process.argv[2] ?? 'ok';
const logger = createLogger('shutdown-child');

onShutdown('database pool', () => console.log('step:database pool'));
onShutdown('consumers', async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  console.log('step:consumers');
  if (mode === 'failing') throw new Error('consumer refused to stop');
});
onShutdown('http server', () => {
  console.log('step:http server');
  if (mode === 'hanging') return new Promise<never>(() => undefined);
  return undefined;
});

installSignalHandlers(logger, { timeoutMs: 60_000 });
// Keep the event loop alive the way a server would.
setInterval(() => undefined, 1 << 30);
console.log('ready');
