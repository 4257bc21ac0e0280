// A service main for the runService tests. argv: `ok`, `bad-config` or `crash-later`.
import { z } from 'zod';
import { loadConfig } from '../../config/index.ts';
import { onShutdown, runService } from '../index.ts';

const mode = process.argv[2] ?? 'ok';

await runService('fixture', async ({ logger }) => {
  onShutdown('database pool', () => console.log('step:database pool'));
  if (mode === 'bad-config') {
    loadConfig(z.object({ DATABASE_URL: z.url(), PORT: z.coerce.number() }), { PORT: 'x' });
  }
  setInterval(() => undefined, 1 << 30);
  if (mode === 'crash-later') {
    setTimeout(() => {
      throw new Error('poisoned state');
    }, 10);
  }
  logger.info('ready');
});
