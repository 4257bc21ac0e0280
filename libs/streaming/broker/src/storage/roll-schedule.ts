/**
 * When a log rolls by time. segment.ms sets the age of a segment at which the next append starts a
 * new one; on a compacted topic max.compaction.lag.ms shortens it, since only closed segments are
 * compacted and a record must not wait longer than the lag. segment.jitter.ms takes a random amount
 * (drawn once per segment) off that age, so the partitions of a broker do not all roll, and then all
 * face retention, at the same moment.
 */
import type { TopicConfig } from './topic-config-table.ts';

type RollConfig = Pick<
  TopicConfig,
  'segmentMs' | 'segmentJitterMs' | 'maxCompactionLagMs' | 'cleanupPolicy'
>;

/** The segment age at which the log rolls, before jitter. */
export function maxSegmentMs(config: Readonly<RollConfig>): number {
  const compacted = config.cleanupPolicy.split(',').includes('compact');
  return compacted ? Math.min(config.segmentMs, config.maxCompactionLagMs) : config.segmentMs;
}

/** A new segment's jitter: uniform in [0, min(segment.jitter.ms, segment age)). */
export function drawRollJitter(
  config: Readonly<RollConfig>,
  random: () => number = Math.random,
): number {
  const bound = Math.min(config.segmentJitterMs, maxSegmentMs(config));
  return bound > 0 ? Math.floor(random() * bound) : 0;
}
