/**
 * Kafka's command line tools under their own names (`kafka-console-producer --topic test
 * --broker-list localhost:9092`), so the course material's commands run with only `bin/….sh`
 * replaced by `npx …`. Each tool reads Kafka's flags and runs the equivalent `streaming` command.
 */
import { run } from '../cli.ts';
import { CliError, EXIT_OK } from '../errors.ts';
import type { Translation } from './bootstrap-flags.ts';
import { connectStandaloneArgs, connectStandaloneHelp } from './connect-standalone.ts';
import { consoleConsumerArgs, consoleConsumerHelp } from './console-consumer.ts';
import { consoleProducerArgs, consoleProducerHelp } from './console-producer.ts';
import { consumerGroupsArgs, consumerGroupsHelp } from './consumer-groups.ts';
import { topicsArgs, topicsHelp } from './topics.ts';
import { aclsArgs, aclsHelp, configsArgs, configsHelp } from './acls-configs.ts';

interface KafkaTool {
  help: string;
  translate: (argv: readonly string[]) => Translation;
}

export const KAFKA_TOOLS: Record<string, KafkaTool> = {
  'kafka-console-producer': { help: consoleProducerHelp, translate: consoleProducerArgs },
  'kafka-console-consumer': { help: consoleConsumerHelp, translate: consoleConsumerArgs },
  'kafka-topics': { help: topicsHelp, translate: topicsArgs },
  'kafka-consumer-groups': { help: consumerGroupsHelp, translate: consumerGroupsArgs },
  'connect-standalone': { help: connectStandaloneHelp, translate: connectStandaloneArgs },
  'kafka-acls': { help: aclsHelp, translate: aclsArgs },
  'kafka-configs': { help: configsHelp, translate: configsArgs },
};

const VERSION = 'retail-streams Kafka tools (the `streaming` command; Kafka protocol clients)';

/** Runs one tool's command line; resolves to the exit status. Never throws. */
export async function runKafkaTool(name: string, argv: readonly string[]): Promise<number> {
  const tool = KAFKA_TOOLS[name];
  if (!tool) throw new Error(`no Kafka tool ${name}`);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(tool.help);
    return EXIT_OK;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${name}: ${VERSION}\n`);
    return EXIT_OK;
  }
  let translation: Translation;
  try {
    translation = tool.translate(argv);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    // Messages from the flag reader already name the tool.
    process.stderr.write(`${err.message.startsWith(name) ? '' : `${name}: `}${err.message}\n`);
    return err.exitCode;
  }
  for (const line of translation.notes) process.stderr.write(`${line}\n`);
  return run(translation.argv, name);
}
