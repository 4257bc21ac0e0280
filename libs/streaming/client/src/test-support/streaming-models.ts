import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  parseModel,
  readModelBlocks,
  readPrismaModels,
  tableOf,
  tableOfBlock,
} from './prisma-models.ts';

/** The Prisma models of this library's tables, which a service copies into its schema.prisma. */
export const streamingModelsFile = fileURLToPath(
  new URL('../../prisma/streaming-models.prisma', import.meta.url),
);
export const libraryModels = readPrismaModels(readFileSync(streamingModelsFile, 'utf8'));

/**
 * How a schema's copies of the library's models differ from them, one line per difference; empty
 * when it has none of them or all three exactly (layout and comments aside).
 */
export function streamingModelDifferences(source: string): string[] {
  // Only the models of the library's tables are parsed: the rest of a service's schema is its own.
  const libraryTables = new Set([...libraryModels.values()].map(tableOf));
  const copies = readModelBlocks(source)
    .filter((block) => libraryTables.has(tableOfBlock(block)))
    .map(parseModel);
  if (copies.length === 0) return [];
  const differences: string[] = [];
  for (const expected of libraryModels.values()) {
    const copy = copies.find((model) => tableOf(model) === tableOf(expected));
    if (!copy) differences.push(`model ${expected.name} is missing`);
    else if (JSON.stringify(copy) !== JSON.stringify(expected)) {
      differences.push(`model ${copy.name} differs: ${JSON.stringify(copy)}`);
    }
  }
  return differences;
}
