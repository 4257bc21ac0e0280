// `npm start`: the whole demo in one command. The compile cache is switched on before the
// orchestrator's modules load, as the broker does for its own start.
import module from 'node:module';

module.enableCompileCache?.();

const { runForeground } = await import('./stack/foreground.ts');
process.exitCode = await runForeground('full', process.argv.slice(2));
