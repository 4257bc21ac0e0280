import { DEFAULT_BOOTSTRAP } from '../commands/context.ts';
import { readPropertiesFile } from '../util/properties-file.ts';
import { last, type KafkaArgs } from './kafka-args.ts';

/** Client properties about the connection's security: passed on, never "ignored as tuning". */
export const isSecurityProperty = (key: string): boolean =>
  key === 'security.protocol' || key.startsWith('sasl.') || key.startsWith('ssl.');

/** The flags every Kafka tool takes to find the cluster, as the `streaming` command's arguments. */
export const BOOTSTRAP_OPTIONS = [
  'bootstrap-server',
  'broker-list',
  'zookeeper',
  'command-config',
] as const;

export interface Translation {
  /** The equivalent `streaming` command line. */
  argv: string[];
  /** One line each, printed on stderr before the command runs. */
  notes: string[];
}

/**
 * `--bootstrap-server` (or the console producer's older `--broker-list`) becomes the global
 * `--bootstrap-server`. `--zookeeper` was how Kafka's tools found the cluster before Kafka 2: this
 * broker keeps its own metadata and has no ZooKeeper, so it is ignored with one line saying so, and
 * the tool connects to the broker at the usual address.
 */
export function bootstrapOf(
  tool: string,
  args: KafkaArgs,
  /** Client properties (--producer.config, --consumer-property...): bootstrap.servers and security. */
  clientProps: ReadonlyMap<string, string> = new Map(),
): Translation {
  // --command-config (the admin tools' client properties) comes first; the tool's own on top.
  const commandConfig = last(args, 'command-config');
  const props = new Map(commandConfig ? readPropertiesFile(commandConfig) : []);
  for (const [k, v] of clientProps) props.set(k, v);
  const given =
    last(args, 'bootstrap-server') ?? last(args, 'broker-list') ?? props.get('bootstrap.servers');
  const notes: string[] = [];
  const zookeeper = last(args, 'zookeeper');
  const bootstrap = given ?? (process.env.STREAMING_BOOTSTRAP_SERVER || DEFAULT_BOOTSTRAP);
  if (zookeeper !== undefined) {
    notes.push(
      `${tool}: --zookeeper ${zookeeper} ignored: this broker needs no ZooKeeper; ` +
        `using the broker at ${bootstrap}${given ? '' : ' (--bootstrap-server to change)'}`,
    );
  }
  // TLS and SASL settings travel as client properties of the `streaming` command.
  const security = [...props].filter(([k]) => isSecurityProperty(k));
  return {
    argv: [
      '--bootstrap-server',
      bootstrap,
      ...security.flatMap(([k, v]) => ['--client-property', `${k}=${v}`]),
    ],
    notes,
  };
}

export function ignoredNote(tool: string, args: KafkaArgs): string[] {
  if (args.ignored.length === 0) return [];
  return [`${tool}: ${[...new Set(args.ignored)].join(', ')} ignored (client tuning)`];
}
