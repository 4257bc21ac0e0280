/**
 * What `connect-standalone worker.properties connector.properties...` reads, in Kafka's own formats:
 * a worker file (connect-standalone.properties) and one file per connector
 * (connect-file-source.properties: `file=`, `topic=`; connect-file-sink.properties: `file=`,
 * `topics=`). Kafka's keys that have no meaning for a single file connector are accepted; the ones
 * that would change what is written and are not implemented are refused, never dropped.
 */
import { z } from 'zod';
import { DEFAULT_BOOTSTRAP } from '../commands/context.ts';
import { CliError, EXIT_USAGE } from '../errors.ts';
import { converterOf, JSON_CONVERTER, type Converter } from './converters.ts';
import { DEFAULT_OFFSETS_TOPIC } from './offset-store.ts';

export interface WorkerConfig {
  bootstrapServers: string;
  valueConverter: Converter;
  offsetsTopic: string;
  /** One line each, for stderr. */
  notes: string[];
}

interface ConnectorBase {
  name: string;
  file: string;
  valueConverter: Converter;
}

export type ConnectorConfig =
  | (ConnectorBase & { kind: 'source'; topic: string; batchSize: number })
  | (ConnectorBase & { kind: 'sink'; topic: string });

const SOURCE_CLASSES = [
  'FileStreamSource',
  'FileStreamSourceConnector',
  'org.apache.kafka.connect.file.FileStreamSourceConnector',
];
const SINK_CLASSES = [
  'FileStreamSink',
  'FileStreamSinkConnector',
  'org.apache.kafka.connect.file.FileStreamSinkConnector',
];

/** Worker keys that configure a distributed worker, plugins, REST or internals: nothing to do here. */
const WORKER_KEYS_WITHOUT_EFFECT = [
  'key.converter',
  'key.converter.schemas.enable',
  'offset.flush.interval.ms',
  'plugin.path',
  'listeners',
  'rest.port',
  'rest.host.name',
  'rest.advertised.host.name',
  'internal.key.converter',
  'internal.value.converter',
];

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const positiveInt = z
  .string()
  .regex(/^\d+$/, 'a whole number')
  .transform(Number)
  .refine((n) => n > 0, 'more than 0');

const workerSchema = z.object({
  'bootstrap.servers': z.string().trim().min(1).default(DEFAULT_BOOTSTRAP),
  'value.converter': z.string().trim().min(1).default(JSON_CONVERTER),
  'value.converter.schemas.enable': flag.default(true),
  'offset.storage.topic': z.string().trim().min(1).default(DEFAULT_OFFSETS_TOPIC),
  'offset.storage.file.filename': z.string().optional(),
});

const connectorSchema = z.object({
  name: z.string().trim().min(1),
  'connector.class': z.string().trim(),
  'tasks.max': positiveInt.default(1),
  file: z.string().trim().min(1),
  topic: z.string().trim().min(1).optional(),
  topics: z.string().trim().min(1).optional(),
  'batch.size': positiveInt.default(2000),
  'value.converter': z.string().trim().min(1).optional(),
  'value.converter.schemas.enable': flag.optional(),
});

function parse<T extends z.ZodType>(schema: T, props: Map<string, string>, source: string) {
  const result = schema.safeParse(Object.fromEntries(props));
  if (result.success) return result.data as z.output<T>;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
  );
  throw new CliError('USAGE', `${source}: ${problems.join('; ')}`, EXIT_USAGE);
}

export function workerConfig(props: Map<string, string>, source: string): WorkerConfig {
  const w = parse(workerSchema, props, source);
  const notes: string[] = [];
  if (w['offset.storage.file.filename'] !== undefined) {
    notes.push(
      `connect-standalone: source positions are kept in the topic ${w['offset.storage.topic']} ` +
        `(as distributed Connect does), not in ${w['offset.storage.file.filename']}`,
    );
  }
  const known = new Set([...Object.keys(workerSchema.shape), ...WORKER_KEYS_WITHOUT_EFFECT]);
  const unknown = [...props.keys()].filter(
    (key) => !known.has(key) && !key.startsWith('key.converter.'),
  );
  if (unknown.length > 0)
    notes.push(`connect-standalone: ${source}: ${unknown.join(', ')} ignored`);
  return {
    bootstrapServers: w['bootstrap.servers'],
    valueConverter: converterOf(w['value.converter'], w['value.converter.schemas.enable']),
    offsetsTopic: w['offset.storage.topic'],
    notes,
  };
}

/**
 * One connector's file. A relative `file=` path is taken from the directory the command runs in, as
 * Kafka's worker does.
 */
export function connectorConfig(
  props: Map<string, string>,
  worker: WorkerConfig,
  source: string,
): ConnectorConfig {
  const c = parse(connectorSchema, props, source);
  const refuse = (message: string): never => {
    throw new CliError('USAGE', `${source}: ${message}`, EXIT_USAGE);
  };
  const transforms = [...props.keys()].filter((key) => key.startsWith('transforms'));
  if (transforms.length > 0) refuse('single message transforms (transforms=...) are not supported');
  const valueConverter =
    c['value.converter'] === undefined
      ? worker.valueConverter
      : converterOf(c['value.converter'], c['value.converter.schemas.enable'] ?? true);
  const base = { name: c.name, file: c.file, valueConverter };
  if (SOURCE_CLASSES.includes(c['connector.class'])) {
    if (!c.topic) refuse('a file source needs topic=');
    return { ...base, kind: 'source', topic: c.topic as string, batchSize: c['batch.size'] };
  }
  if (SINK_CLASSES.includes(c['connector.class'])) {
    const topics = (c.topics ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (topics.length !== 1) refuse('a file sink here reads exactly one topic (topics=<name>)');
    return { ...base, kind: 'sink', topic: topics[0] };
  }
  return refuse(
    `connector.class ${c['connector.class']}: only FileStreamSource and FileStreamSink are available`,
  );
}
