import { Command, CommanderError } from 'commander';
import { registerConnect } from './commands/connect.ts';
import { registerConsume } from './commands/consume.ts';
import { DEFAULT_BOOTSTRAP } from './commands/context.ts';
import { registerGroups } from './commands/groups.ts';
import { registerProduce } from './commands/produce.ts';
import { registerTopics } from './commands/topics.ts';
import { CliError, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE } from './errors.ts';

const EXAMPLES = `
Every command talks the Kafka protocol: the embedded broker (npm run broker) or any Kafka cluster.
The bootstrap server can also come from STREAMING_BOOTSTRAP_SERVER.

Examples:
  $ streaming topics --create --topic test --partitions 3
  $ printf 'hello\\nworld\\n' | streaming produce --topic test
  $ streaming consume --topic test --from-beginning --max-messages 2
  $ streaming groups --describe --group billing
  $ streaming connect file-source --file access.log --topic logs.access

Exit status: 0 done, 1 failed while running (broker unreachable, unknown topic...), 2 bad command line.
`;

export function buildProgram(): Command {
  const program = new Command('streaming');
  program
    .description(
      'Kafka console tools for retail-streams: topics, produce, consume, groups, connectors',
    )
    .option(
      '-b, --bootstrap-server <host:port>',
      'broker(s) to connect to, comma-separated',
      process.env.STREAMING_BOOTSTRAP_SERVER || DEFAULT_BOOTSTRAP,
    )
    .option('-v, --verbose', "print the Kafka client's warnings and errors on stderr")
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(add --help for usage)')
    // Usage errors come back here as exceptions (exit 2) instead of commander calling process.exit.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'streaming: ')),
    });
  registerTopics(program);
  registerProduce(program);
  registerConsume(program);
  registerGroups(program);
  registerConnect(program);
  return program;
}

/** Runs one command line; resolves to the exit status. Never throws. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version "errors" exit 0; commander has already printed the message otherwise.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`streaming: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`streaming: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_RUNTIME;
  }
}
