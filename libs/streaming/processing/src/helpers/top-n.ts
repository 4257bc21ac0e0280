export interface Ranked {
  readonly key: string;
  readonly value: number;
}

/**
 * The `n` largest counts, largest first; ties are broken by key so the ranking is the same on every run
 * (a replay must reproduce the same "top products", not just the same counts).
 */
export function topN(counts: Readonly<Record<string, number>>, n: number): Ranked[] {
  return Object.entries(counts)
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, Math.max(0, n));
}

/** An aggregator that adds `amount` to `key`'s count in a plain object (JSON-friendly, unlike a Map). */
export function addCount(
  counts: Readonly<Record<string, number>>,
  key: string,
  amount = 1,
): Record<string, number> {
  return { ...counts, [key]: (counts[key] ?? 0) + amount };
}
