import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { RecentSpans } from './recent-spans.ts';

// The processor only stores what it is handed; a name is all these specifications read back.
const span = (name: string) => ({ name }) as ReadableSpan;
const names = (spans: RecentSpans) => spans.getFinishedSpans().map((s) => s.name);

describe('RecentSpans', () => {
  it('keeps finished spans oldest first', () => {
    const spans = new RecentSpans(3);
    spans.onEnd(span('a'));
    spans.onEnd(span('b'));
    expect(names(spans)).toEqual(['a', 'b']);
  });

  it('keeps only the most recent ones once the limit is reached, still oldest first', () => {
    const spans = new RecentSpans(3);
    for (const name of ['a', 'b', 'c', 'd', 'e']) spans.onEnd(span(name));
    expect(names(spans)).toEqual(['c', 'd', 'e']);
    spans.onEnd(span('f'));
    spans.onEnd(span('g'));
    expect(names(spans)).toEqual(['e', 'f', 'g']);
  });

  it('starts over empty after a reset', () => {
    const spans = new RecentSpans(2);
    for (const name of ['a', 'b', 'c']) spans.onEnd(span(name));
    spans.reset();
    spans.onEnd(span('d'));
    expect(names(spans)).toEqual(['d']);
  });
});
