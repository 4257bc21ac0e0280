import { Command, CommanderError } from 'commander';
import { registerConnect } from './commands/connect.ts';
import { registerConsume } from './commands/consume.ts';
import { DEFAULT_BOOTSTRAP } from './commands/context.ts';
import { registerGroups } from './commands/groups.ts';
import { registerProduce } from './commands/produce.ts';
import { registerTopics } from './commands/topics.ts';
import { CliError, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE } from './errors.ts';
import { registerAcls } from './commands/acls.ts';
import { registerUsers } from './commands/users.ts';
import { collect } from './util/parse-options.ts';

const EXAMPLES = `
Every command talks the Kafka protocol: the embedded broker (npm run broker) or any Kafka cluster.
The bootstrap server can also come from STREAMING_BOOTSTRAP_SERVER; a secured broker needs
--command-config client.properties (or STREAMING_COMMAND_CONFIG), as Kafka's tools do.

Examples:
  $ streaming topics --create --topic test --partitions 3
  $ printf 'hello\\nworld\\n' | streaming produce --topic test
  $ streaming consume --topic test --from-beginning --max-messages 2
  $ streaming groups --describe --group billing
  $ streaming connect file-source --file access.log --topic logs.access
  $ streaming users --alter --add-config 'SCRAM-SHA-512=[password=alice-secret]' --entity-name alice
  $ streaming acls --add --allow-principal User:alice --operation Read --topic orders --group billing

Exit status: 0 done, 1 failed while running (broker unreachable, unknown topic...), 2 bad command line.
`;

export function buildProgram(name = 'streaming'): Command {
  const program = new Command(name);
  program
    .description(
      'Kafka console tools for retail-streams: topics, produce, consume, groups, connectors',
    )
    .option(
      '-b, --bootstrap-server <host:port>',
      'broker(s) to connect to, comma-separated',
      process.env.STREAMING_BOOTSTRAP_SERVER || DEFAULT_BOOTSTRAP,
    )
    .option(
      '--command-config <file>',
      'client properties: security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.location ...',
      process.env.STREAMING_COMMAND_CONFIG || undefined,
    )
    .option(
      '--client-property <k=v>',
      'one client property, over --command-config (repeatable)',
      collect,
    )
    .option('-v, --verbose', "print the Kafka client's warnings and errors on stderr")
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(add --help for usage)')
    // Usage errors come back here as exceptions (exit 2) instead of commander calling process.exit.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, `${name}: `)),
    });
  registerTopics(program);
  registerProduce(program);
  registerConsume(program);
  registerGroups(program);
  registerConnect(program);
  registerUsers(program);
  registerAcls(program);
  return program;
}

/**
 * Runs one command line; resolves to the exit status. Never throws. `name` prefixes error messages
 * (a Kafka tool name when one of those runs the command).
 */
export async function run(argv: readonly string[], name = 'streaming'): Promise<number> {
  const program = buildProgram(name);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version "errors" exit 0; commander has already printed the message otherwise.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`${name}: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_RUNTIME;
  }
}
