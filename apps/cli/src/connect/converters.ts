/**
 * Kafka Connect's converters turn a connector's values into record bytes and back. The file
 * connectors deal in lines of text, so two matter: StringConverter (the line itself) and
 * JsonConverter, Kafka's default in connect-standalone.properties, which with schemas.enable=true
 * wraps each line as {"schema":{"type":"string","optional":false},"payload":"<line>"}.
 */
import { CliError } from '../errors.ts';

export interface Converter {
  /** The record value for one line read from a file. */
  fromLine(line: string): string;
  /** The line to write for one record value. */
  toLine(value: Buffer | null): string;
}

export const STRING_CONVERTER = 'org.apache.kafka.connect.storage.StringConverter';
export const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

const stringConverter: Converter = {
  fromLine: (line) => line,
  // Kafka's FileStreamSink prints the value as Java does: a null prints as "null".
  toLine: (value) => (value === null ? 'null' : value.toString('utf8')),
};

function jsonConverter(schemasEnable: boolean): Converter {
  return {
    fromLine: (line) =>
      JSON.stringify(
        schemasEnable ? { schema: { type: 'string', optional: false }, payload: line } : line,
      ),
    toLine: (value) => {
      if (value === null) return 'null';
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.toString('utf8'));
      } catch {
        throw new CliError(
          'KAFKA_ERROR',
          `a record is not JSON, which ${JSON_CONVERTER} needs (set value.converter=${STRING_CONVERTER} for plain text)`,
        );
      }
      let payload = parsed;
      if (schemasEnable) {
        const envelope = parsed as { schema?: unknown; payload?: unknown } | null;
        if (typeof envelope !== 'object' || envelope === null || !('payload' in envelope)) {
          throw new CliError(
            'KAFKA_ERROR',
            `${JSON_CONVERTER} with schemas.enable=true needs "schema" and "payload" fields in each ` +
              `record (set value.converter.schemas.enable=false for plain JSON)`,
          );
        }
        payload = envelope.payload;
      }
      return typeof payload === 'string' ? payload : JSON.stringify(payload);
    },
  };
}

/** The converter named by a `value.converter` setting (class name, as in Kafka's properties). */
export function converterOf(className: string, schemasEnable: boolean): Converter {
  switch (className.trim()) {
    case STRING_CONVERTER:
      return stringConverter;
    case JSON_CONVERTER:
      return jsonConverter(schemasEnable);
    default:
      throw new CliError(
        'USAGE',
        `value.converter ${className}: the file connectors support ${STRING_CONVERTER} and ${JSON_CONVERTER}`,
        2,
      );
  }
}
