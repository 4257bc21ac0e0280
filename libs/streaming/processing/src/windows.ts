import { ProcessingError } from './processing-error.ts';

/** A time window `[start, end)` in event-time milliseconds. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * Fixed-size windows that start every `advanceMs`. A tumbling window is the special case
 * `advanceMs === sizeMs`: windows do not overlap and every record lands in exactly one. With a smaller
 * advance (hopping) windows overlap and a record lands in `sizeMs / advanceMs` of them, which is how a
 * "last 10 minutes, refreshed every minute" view is built.
 */
export interface WindowSpec {
  readonly kind: 'tumbling' | 'hopping';
  readonly sizeMs: number;
  readonly advanceMs: number;
}

export function tumbling(sizeMs: number): WindowSpec {
  checkDuration('size', sizeMs);
  return { kind: 'tumbling', sizeMs, advanceMs: sizeMs };
}

export function hopping(sizeMs: number, advanceMs: number): WindowSpec {
  checkDuration('size', sizeMs);
  checkDuration('advance', advanceMs);
  if (advanceMs > sizeMs) {
    // Gaps between windows would silently drop records that fall in them.
    throw new ProcessingError(
      'INVALID_WINDOW',
      `a hopping window's advance (${advanceMs} ms) must not exceed its size (${sizeMs} ms)`,
    );
  }
  return { kind: advanceMs === sizeMs ? 'tumbling' : 'hopping', sizeMs, advanceMs };
}

/**
 * Every window of `spec` that contains `timestamp`, oldest first. Windows are aligned to the epoch
 * (a one-minute window starts on a whole minute), so every process computes the same windows for the
 * same record: alignment is part of what makes a replay reproduce the same numbers.
 */
export function windowsFor(spec: WindowSpec, timestamp: number): Window[] {
  const windows: Window[] = [];
  const newestStart = timestamp - (timestamp % spec.advanceMs);
  for (
    let start = newestStart;
    start > timestamp - spec.sizeMs && start >= 0;
    start -= spec.advanceMs
  ) {
    windows.push({ start, end: start + spec.sizeMs });
  }
  return windows.reverse();
}

export function describeWindowSpec(spec: WindowSpec): string {
  return spec.kind === 'tumbling'
    ? `tumbling(${spec.sizeMs})`
    : `hopping(${spec.sizeMs},${spec.advanceMs})`;
}

function checkDuration(what: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new ProcessingError(
      'INVALID_WINDOW',
      `a window ${what} must be a positive whole number of ms, got ${ms}`,
    );
  }
}
