// `npm run infra`: PostgreSQL and the broker only, for developing one service in watch mode.
import module from 'node:module';

module.enableCompileCache?.();

const { runForeground } = await import('./stack/foreground.ts');
process.exitCode = await runForeground('infra', process.argv.slice(2));
