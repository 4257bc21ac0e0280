// Entry point of the `streaming` command and of the Kafka tool names (bin/*.js). Enables Node's
// compile cache before the TypeScript modules load (type stripping on every start is measurable),
// then hands over to the command tree.
import module from 'node:module';

module.enableCompileCache?.();

/** Runs `streaming`, or the Kafka tool `tool` (kafka-console-producer...), with this process's arguments. */
export async function main(tool?: string): Promise<never> {
  await import('./kafka/fix-kafkajs.ts');
  const argv = process.argv.slice(2);
  const code =
    tool === undefined
      ? await (await import('./cli.ts')).run(argv)
      : await (await import('./kafka-tools/run-kafka-tool.ts')).runKafkaTool(tool, argv);
  // Exit explicitly: a Kafka client can leave a reconnect timer behind after a failed command, and a
  // command line tool must not hang on it. stdout/stderr writes to pipes and files are synchronous.
  process.exit(code);
}

// `node apps/cli/src/main.ts ...` (the demo starts its connectors so) runs the `streaming` command.
if (import.meta.main) await main();
