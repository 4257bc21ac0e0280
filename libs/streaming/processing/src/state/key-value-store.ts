/**
 * The state a stateful operation keeps: string keys in lexicographic order, so that a range scan over a
 * key prefix (e.g. every window that starts before some time) is cheap.
 */
export interface KeyValueStore<V> {
  get(key: string): V | undefined;
  put(key: string, value: V): void;
  delete(key: string): boolean;
  /** Entries with `from <= key < to`, in ascending key order. */
  range(from: string, to: string): Array<[string, V]>;
  /** Every entry, in ascending key order. */
  all(): Array<[string, V]>;
  readonly size: number;
}

/**
 * A store held in process memory. Keys are kept in a sorted array next to the map: inserting a new key
 * costs a binary search and a splice, which for the tens of thousands of keys an analytics aggregate
 * holds is far cheaper than sorting on every range scan.
 */
export class InMemoryKeyValueStore<V> implements KeyValueStore<V> {
  readonly #values = new Map<string, V>();
  readonly #sortedKeys: string[] = [];

  constructor(entries: Iterable<readonly [string, V]> = []) {
    for (const [key, value] of entries) this.put(key, value);
  }

  get size(): number {
    return this.#values.size;
  }

  get(key: string): V | undefined {
    return this.#values.get(key);
  }

  put(key: string, value: V): void {
    if (!this.#values.has(key)) this.#sortedKeys.splice(this.#lowerBound(key), 0, key);
    this.#values.set(key, value);
  }

  delete(key: string): boolean {
    if (!this.#values.delete(key)) return false;
    this.#sortedKeys.splice(this.#lowerBound(key), 1);
    return true;
  }

  range(from: string, to: string): Array<[string, V]> {
    const result: Array<[string, V]> = [];
    for (let i = this.#lowerBound(from); i < this.#sortedKeys.length; i++) {
      const key = this.#sortedKeys[i]!;
      if (key >= to) break;
      result.push([key, this.#values.get(key)!]);
    }
    return result;
  }

  all(): Array<[string, V]> {
    return this.#sortedKeys.map((key) => [key, this.#values.get(key)!]);
  }

  /** Index of the first key `>= key`. */
  #lowerBound(key: string): number {
    let low = 0;
    let high = this.#sortedKeys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#sortedKeys[mid]! < key) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
