/**
 * Kafka's server scripts under their own names, so the course material's `bin/kafka-server-start.sh
 * config/server.properties` runs as `npx kafka-server-start config/server.properties`.
 */
import { CliError } from './cli-args.ts';

export const KAFKA_SERVER_START_USAGE =
  'USAGE: kafka-server-start [-daemon] server.properties [--override property=value]*\n';

export interface ToolArgs {
  /** The broker's own arguments. */
  argv: string[];
  /** One line each, for stderr. */
  notes: string[];
}

/** `kafka-server-start [-daemon] server.properties [--override k=v]...` as the broker's flags. */
export function kafkaServerStartArgs(argv: readonly string[]): ToolArgs {
  const notes: string[] = [];
  const out: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-daemon') {
      notes.push('kafka-server-start: -daemon ignored: the broker runs in the foreground (add &)');
    } else if (arg === '--override' || arg.startsWith('--override=')) {
      const value = arg === '--override' ? argv[++i] : arg.slice('--override='.length);
      if (value === undefined) throw new CliError('BAD_FLAG', '--override needs property=value');
      out.push('--override', value);
    } else if (arg.startsWith('-')) {
      throw new CliError('BAD_FLAG', `${arg} is not a kafka-server-start option`);
    } else if (config === undefined) {
      config = arg;
    } else {
      throw new CliError('BAD_FLAG', `one properties file only, got ${config} and ${arg}`);
    }
  }
  if (config === undefined) throw new CliError('BAD_FLAG', 'no server.properties file given');
  // Kafka's own scripts log readable lines to the terminal, not JSON.
  return { argv: ['--config', config, '--log-format', 'text', ...out], notes };
}

/** What `zookeeper-server-start` says: there is nothing to start. */
export const ZOOKEEPER_NOTE =
  'zookeeper-server-start: this broker needs no ZooKeeper (it keeps its own metadata, as Kafka ' +
  'in KRaft mode does): nothing to start. Start the broker with kafka-server-start.\n';
