import { usageError } from '../errors.ts';
import { headerPairs, type DisplayRecord } from './record-format.ts';

/**
 * Kafka's console consumer prints records through its DefaultMessageFormatter, configured with
 * `--property name=value`. The same properties here print the same lines: the chosen columns in
 * Kafka's order (timestamp, partition, offset, headers, key, value), joined by key.separator and
 * ended by line.separator.
 */
export interface KafkaFormat {
  printTimestamp: boolean;
  printPartition: boolean;
  printOffset: boolean;
  printHeaders: boolean;
  printKey: boolean;
  printValue: boolean;
  keySeparator: string;
  lineSeparator: string;
  headersSeparator: string;
  nullLiteral: string;
}

const DEFAULTS: KafkaFormat = {
  printTimestamp: false,
  printPartition: false,
  printOffset: false,
  printHeaders: false,
  printKey: false,
  printValue: true,
  keySeparator: '\t',
  lineSeparator: '\n',
  headersSeparator: ',',
  nullLiteral: 'null',
};

const BOOLEAN_PROPERTIES: Record<string, keyof KafkaFormat> = {
  'print.timestamp': 'printTimestamp',
  'print.partition': 'printPartition',
  'print.offset': 'printOffset',
  'print.headers': 'printHeaders',
  'print.key': 'printKey',
  'print.value': 'printValue',
};

const TEXT_PROPERTIES: Record<string, keyof KafkaFormat> = {
  'key.separator': 'keySeparator',
  'line.separator': 'lineSeparator',
  'headers.separator': 'headersSeparator',
  'null.literal': 'nullLiteral',
};

const STRING_DESERIALIZER = 'org.apache.kafka.common.serialization.StringDeserializer';
const DESERIALIZER_PROPERTIES = new Set(['key.deserializer', 'value.deserializer']);

/**
 * Reads `--property` pairs. Kafka's formatter ignores properties it does not know; here they are a
 * usage error, so a misspelt `print.kye=true` is not silently lost. A separator written `\t` or `\n`
 * (as a shell passes it) stands for a tab or a newline. Keys and values are shown as UTF-8 text, so
 * the only deserializer accepted is Kafka's StringDeserializer.
 */
export function kafkaFormat(pairs: readonly [string, string][]): KafkaFormat {
  const format: KafkaFormat = { ...DEFAULTS };
  for (const [name, value] of pairs) {
    const flag = BOOLEAN_PROPERTIES[name];
    if (flag) {
      (format[flag] as boolean) = value.trim().toLowerCase() === 'true';
      continue;
    }
    const text = TEXT_PROPERTIES[name];
    if (text) {
      (format[text] as string) = unescapeSeparator(value);
      continue;
    }
    if (DESERIALIZER_PROPERTIES.has(name)) {
      if (value.trim() === STRING_DESERIALIZER) continue;
      throw usageError(
        `--property ${name}=${value}: records are shown as UTF-8 text (${STRING_DESERIALIZER})`,
      );
    }
    throw usageError(
      `--property ${name}: not a formatter property; known: ` +
        [...Object.keys(BOOLEAN_PROPERTIES), ...Object.keys(TEXT_PROPERTIES)].join(', '),
    );
  }
  return format;
}

/** A separator written `\t`, `\n`, `\r` or `\\` (as a shell passes it) is that character. */
export function unescapeSeparator(value: string): string {
  return value.replace(/\\([tnr\\])/g, (_, c: string) =>
    c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\',
  );
}

/** One record as Kafka's DefaultMessageFormatter writes it, line separator included. */
export function formatKafkaRecord(r: DisplayRecord, f: KafkaFormat): string {
  const text = (b: Buffer | null) => (b === null ? f.nullLiteral : b.toString('utf8'));
  const columns: string[] = [];
  if (f.printTimestamp) columns.push(`CreateTime:${r.timestamp}`);
  if (f.printPartition) columns.push(`Partition:${r.partition}`);
  if (f.printOffset) columns.push(`Offset:${r.offset}`);
  if (f.printHeaders) {
    const pairs = headerPairs(r.headers);
    columns.push(
      pairs.length === 0
        ? 'NO_HEADERS'
        : pairs.map(([k, v]) => `${k}:${v}`).join(f.headersSeparator),
    );
  }
  if (f.printKey) columns.push(text(r.key));
  if (f.printValue) columns.push(text(r.value));
  if (columns.length === 0) return '';
  return `${columns.join(f.keySeparator)}${f.lineSeparator}`;
}
