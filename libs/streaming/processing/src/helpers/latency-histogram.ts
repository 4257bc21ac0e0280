/**
 * A mergeable, JSON-friendly latency histogram for windowed percentiles. Keeping every sample would make
 * a window's state grow with traffic; buckets whose bounds grow by 5% keep it to a few hundred numbers
 * at most, and a percentile read from them is within 5% of the exact one.
 */
export interface LatencyHistogram {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Bucket index (as a string, JSON object keys) -> number of samples. */
  readonly buckets: Readonly<Record<string, number>>;
}

const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);

export function emptyHistogram(): LatencyHistogram {
  return { count: 0, sum: 0, min: 0, max: 0, buckets: {} };
}

/** Bucket 0 holds [0, 1); bucket i > 0 holds [GROWTH^(i-1), GROWTH^i). */
function bucketOf(value: number): number {
  return value < 1 ? 0 : Math.floor(Math.log(value) / LOG_GROWTH) + 1;
}

function bucketUpperBound(index: number): number {
  return index === 0 ? 1 : GROWTH ** index;
}

export function recordLatency(histogram: LatencyHistogram, valueMs: number): LatencyHistogram {
  const value = Math.max(0, valueMs);
  const bucket = String(bucketOf(value));
  return {
    count: histogram.count + 1,
    sum: histogram.sum + value,
    min: histogram.count === 0 ? value : Math.min(histogram.min, value),
    max: histogram.count === 0 ? value : Math.max(histogram.max, value),
    buckets: { ...histogram.buckets, [bucket]: (histogram.buckets[bucket] ?? 0) + 1 },
  };
}

/**
 * The value below which `p` percent of the samples fall (nearest rank), as the upper bound of its
 * bucket, clamped to the exact min and max. `undefined` for an empty histogram.
 */
export function percentile(histogram: LatencyHistogram, p: number): number | undefined {
  if (histogram.count === 0) return undefined;
  const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * histogram.count));
  const indices = Object.keys(histogram.buckets)
    .map(Number)
    .sort((a, b) => a - b);
  let seen = 0;
  for (const index of indices) {
    seen += histogram.buckets[String(index)]!;
    if (seen >= rank)
      return Math.min(histogram.max, Math.max(histogram.min, bucketUpperBound(index)));
  }
  return histogram.max;
}
