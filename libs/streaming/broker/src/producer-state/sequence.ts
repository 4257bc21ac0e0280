/**
 * Producer sequence arithmetic. Sequence numbers are int32 and wrap to 0 after
 * 2^31-1 (they never go negative), so "next" and "last of a batch" must wrap the
 * same way the clients compute them.
 */
export const MAX_SEQUENCE = 2 ** 31 - 1;
export const NO_SEQUENCE = -1;
export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;

/** The sequence `increment` steps after `sequence`, wrapping past int32 max to 0. */
export function addSequence(sequence: number, increment: number): number {
  if (sequence > MAX_SEQUENCE - increment) return increment - (MAX_SEQUENCE - sequence) - 1;
  return sequence + increment;
}

/** The sequence of the last record of a batch (its lastOffsetDelta counts records as produced). */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  return addSequence(baseSequence, lastOffsetDelta);
}

/** True when `nextFirst` directly follows `last`. */
export function followsInSequence(last: number, nextFirst: number): boolean {
  return nextFirst === addSequence(last, 1);
}
