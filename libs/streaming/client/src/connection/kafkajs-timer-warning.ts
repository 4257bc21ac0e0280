/**
 * kafkajs 2.2.4's request queue (src/network/requestQueue, scheduleCheckPendingRequests) arms its
 * throttle check with `setTimeout(check, throttledUntil - Date.now())` even when nothing is throttled:
 * throttledUntil starts at -1, so the delay is about minus the current epoch time. Node clamps it to
 * 1 ms, which is what kafkajs relies on, and since Node 23 also prints a TimeoutNegativeWarning: the
 * warning every service, the broker's clients and the CLI showed on their first screen.
 *
 * The fix belongs in kafkajs (a `Math.max(0, …)`), which has had no release since 2.2.4, and patching
 * its sources at install time would add an install script to every `npm install`. So exactly this
 * warning is dropped: a TimeoutNegativeWarning raised from kafkajs's request queue. Every other
 * warning, and that type raised from anywhere else, is printed as before (Node raises a
 * TimeoutNegativeWarning once per process).
 */
let installed = false;

export function silenceKafkaJsTimerWarning(): void {
  if (installed) return;
  installed = true;
  const original = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (warningType(warning, rest[0]) === 'TimeoutNegativeWarning' && raisedByKafkaJs()) return;
    (original as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

function warningType(warning: string | Error, typeOrOptions: unknown): string | undefined {
  if (typeof typeOrOptions === 'string') return typeOrOptions;
  const fromOptions = (typeOrOptions as { type?: unknown } | undefined)?.type;
  if (typeof fromOptions === 'string') return fromOptions;
  return typeof warning === 'string' ? undefined : warning.name;
}

/** Node raises the warning synchronously inside setTimeout, so the caller is on the stack. */
function raisedByKafkaJs(): boolean {
  return /kafkajs[\\/]src[\\/]network[\\/]requestQueue/.test(new Error().stack ?? '');
}
