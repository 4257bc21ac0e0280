import fs from 'node:fs';
import { parseProperties } from '@retail-streams/streaming-broker/properties';
import { CliError } from '../errors.ts';

/** A Java `.properties` file (Kafka's config format), as a map; a clear error when unreadable. */
export function readPropertiesFile(file: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('FILE_ERROR', `cannot read ${file}: ${(err as Error).message}`);
  }
  return parseProperties(text);
}
