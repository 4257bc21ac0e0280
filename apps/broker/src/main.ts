// Entry point of the broker process, and of Kafka's server scripts (bin/*.js). Node strips the
// TypeScript types of ~1 MB of sources (most of it the generated protocol codecs) on every start,
// which alone takes ~0.5 s; Node's on-disk compile cache keeps the stripped and compiled code between
// runs and brings a warm start down to tens of milliseconds. It has to be enabled before those
// modules load, hence this tiny file and the dynamic imports. NODE_COMPILE_CACHE /
// NODE_DISABLE_COMPILE_CACHE still apply.
import module from 'node:module';

module.enableCompileCache?.();

/** Runs the broker with `argv` (the broker's own flags). */
export async function runBroker(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { fail, main } = await import('./cli.ts');
  await main(argv).catch((err: unknown) =>
    fail(`unexpected error: ${(err as Error)?.stack ?? String(err)}`),
  );
}

/** Runs `kafka-server-start` (Kafka's arguments) or `zookeeper-server-start`. */
export async function runKafkaServerTool(tool: 'kafka-server-start' | 'zookeeper-server-start') {
  const { KAFKA_SERVER_START_USAGE, ZOOKEEPER_NOTE, kafkaServerStartArgs } =
    await import('./kafka-tools.ts');
  const args = process.argv.slice(2);
  if (tool === 'zookeeper-server-start') {
    process.stderr.write(ZOOKEEPER_NOTE);
    return;
  }
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(KAFKA_SERVER_START_USAGE);
    process.exitCode = args.length === 0 ? 1 : 0;
    return;
  }
  const { CliError } = await import('./cli-args.ts');
  try {
    const { argv, notes } = kafkaServerStartArgs(args);
    for (const line of notes) process.stderr.write(`${line}\n`);
    await runBroker(argv);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    process.stderr.write(`kafka-server-start: ${err.message}\n${KAFKA_SERVER_START_USAGE}`);
    process.exitCode = 1;
  }
}

if (import.meta.main) await runBroker();
