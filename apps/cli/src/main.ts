// Entry point of the `streaming` command. Enables Node's compile cache before the TypeScript modules
// load (type stripping on every start is measurable), then hands over to the command tree.
import module from 'node:module';

module.enableCompileCache?.();

const { silenceKafkaJsTimerWarning } = await import('./util/quiet-warnings.ts');
silenceKafkaJsTimerWarning();
const { run } = await import('./cli.ts');
const code = await run(process.argv.slice(2));
// Exit explicitly: a Kafka client can leave a reconnect timer behind after a failed command, and a
// command line tool must not hang on it. stdout/stderr writes to pipes and files are synchronous.
process.exit(code);
