import { describe, expect, it } from 'vitest';
import { emptyHistogram, percentile, recordLatency } from './latency-histogram.ts';

function exactPercentile(sorted: number[], p: number): number {
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

describe('latency histogram', () => {
  it('has no percentiles while empty', () => {
    expect(percentile(emptyHistogram(), 50)).toBeUndefined();
  });

  it('estimates p50, p95 and p99 within 5% of the exact values', () => {
    let histogram = emptyHistogram();
    const samples: number[] = [];
    for (let i = 1; i <= 2_000; i++) {
      const latency = (i * 7919) % 1_500; // a spread of values, deterministically
      samples.push(latency);
      histogram = recordLatency(histogram, latency);
    }
    samples.sort((a, b) => a - b);
    for (const p of [50, 95, 99]) {
      const exact = exactPercentile(samples, p);
      const estimate = percentile(histogram, p)!;
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(0.05);
    }
    expect(percentile(histogram, 100)).toBe(samples.at(-1));
    expect(histogram.count).toBe(2_000);
    expect(Object.keys(histogram.buckets).length).toBeLessThan(200);
  });

  it('survives a JSON round trip unchanged, as checkpointed state must', () => {
    const histogram = [3, 40, 41, 900].reduce(recordLatency, emptyHistogram());
    expect(JSON.parse(JSON.stringify(histogram))).toEqual(histogram);
    expect(percentile(histogram, 50)).toBe(percentile(JSON.parse(JSON.stringify(histogram)), 50));
  });
});
