import type { PipelineResults } from './bench-results.ts';

/**
 * The results as JSON, and back. Figures can be non-finite: a percentile of a path with undecided
 * orders is Infinity ("undecided"), one of a path with no orders NaN ("—"). Plain JSON writes both as
 * null, and a page re-rendered from it (`--report-only`) then read "undecided" as no figure at all
 * and could call a missed target met. They are written as the strings "Infinity", "-Infinity" and
 * "NaN" and read back as numbers.
 */
export function encodeResults(results: PipelineResults): string {
  return JSON.stringify(
    results,
    (_key, value: unknown) =>
      typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
    2,
  );
}

const nonFinite = new Map<unknown, number>([
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['NaN', Number.NaN],
]);

export function decodeResults(text: string): PipelineResults {
  return JSON.parse(text, (_key, value: unknown) =>
    nonFinite.has(value) ? nonFinite.get(value) : value,
  ) as PipelineResults;
}
