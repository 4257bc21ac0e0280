import { describe, expect, it } from 'vitest';
import { drawRollJitter, maxSegmentMs } from './roll-schedule.ts';
import { resolveTopicConfig } from './topic-config.ts';

describe('roll schedule', () => {
  it('rolls at segment.ms, or at max.compaction.lag.ms on a compacted topic if that is sooner', () => {
    const lag = { 'segment.ms': '10000', 'max.compaction.lag.ms': '3000' };
    expect(maxSegmentMs(resolveTopicConfig({}, lag))).toBe(10_000);
    expect(maxSegmentMs(resolveTopicConfig({}, { ...lag, 'cleanup.policy': 'compact' }))).toBe(
      3_000,
    );
  });

  it('draws a jitter below segment.jitter.ms and below the segment age itself', () => {
    const config = resolveTopicConfig({}, { 'segment.ms': '1000', 'segment.jitter.ms': '5000' });
    expect(drawRollJitter(config, () => 0)).toBe(0);
    expect(drawRollJitter(config, () => 0.999999)).toBe(999);
    expect(drawRollJitter(resolveTopicConfig({}, {}), () => 0.5)).toBe(0);
  });
});
