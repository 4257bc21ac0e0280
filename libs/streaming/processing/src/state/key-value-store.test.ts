import { describe, expect, it } from 'vitest';
import { InMemoryKeyValueStore } from './key-value-store.ts';

describe('InMemoryKeyValueStore', () => {
  it('returns what was put, and nothing once deleted', () => {
    const store = new InMemoryKeyValueStore<number>();
    store.put('a', 1);
    store.put('a', 2);
    expect(store.get('a')).toBe(2);
    expect(store.size).toBe(1);
    expect(store.delete('a')).toBe(true);
    expect(store.delete('a')).toBe(false);
    expect(store.get('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('lists entries in key order whatever the insertion order', () => {
    const store = new InMemoryKeyValueStore<number>();
    for (const key of ['m', 'c', 'x', 'a', 'q']) store.put(key, key.charCodeAt(0));
    store.delete('x');
    expect(store.all().map(([key]) => key)).toEqual(['a', 'c', 'm', 'q']);
  });

  it('scans a half-open key range [from, to)', () => {
    const store = new InMemoryKeyValueStore<string>(
      ['0001|a', '0001|b', '0002|a', '0003|c'].map((key) => [key, key] as const),
    );
    expect(store.range('0001', '0003').map(([key]) => key)).toEqual(['0001|a', '0001|b', '0002|a']);
    expect(store.range('', '0001|b').map(([key]) => key)).toEqual(['0001|a']);
    expect(store.range('0004', '0009')).toEqual([]);
  });
});
