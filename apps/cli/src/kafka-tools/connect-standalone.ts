import { usageError } from '../errors.ts';
import type { Translation } from './bootstrap-flags.ts';
import { parseKafkaArgs, type KafkaToolSpec } from './kafka-args.ts';

export const connectStandaloneSpec: KafkaToolSpec = {
  tool: 'connect-standalone',
  switches: ['help', 'version'],
  options: [],
};

export const connectStandaloneHelp = `Usage: connect-standalone <worker.properties> <connector.properties>...

Kafka Connect's standalone worker, on \`streaming connect standalone\`, with Kafka's file connectors:
FileStreamSource (file=, topic=) and FileStreamSink (file=, topics=). The worker file gives
bootstrap.servers and the converters (JsonConverter with schemas.enable, Kafka's default, or
StringConverter); a missing target topic is created on first use where the broker allows it.
Ctrl-C stops every connector cleanly.
`;

export function connectStandaloneArgs(argv: readonly string[]): Translation {
  const tool = connectStandaloneSpec.tool;
  const args = parseKafkaArgs(connectStandaloneSpec, argv);
  if (args.positionals.length < 2)
    throw usageError(`${tool}: needs a worker properties file and at least one connector file`);
  return { argv: ['connect', 'standalone', ...args.positionals], notes: [] };
}
