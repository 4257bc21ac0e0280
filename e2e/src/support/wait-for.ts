import { setTimeout as sleep } from 'node:timers/promises';
import { E2eError } from './e2e-error.ts';

export interface WaitOptions {
  /** How long the condition may take before the scenario fails. */
  timeoutMs?: number;
  /** Between two probes: polling a condition, never a fixed wait for something to have happened. */
  intervalMs?: number;
}

/**
 * Probes until `probe` returns something other than `undefined`/`false`, and returns it. On timeout it
 * fails with what it was waiting for and what it saw last (the last value, or the last error the probe
 * threw), which is usually the whole diagnosis: "order x still PENDING", "available 34, wanted 30".
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions & { lastSeen?: () => unknown } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 150;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  let lastError: unknown = undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  const seen =
    lastError !== undefined
      ? `the last probe failed: ${(lastError as Error).message ?? String(lastError)}`
      : options.lastSeen
        ? `last seen: ${describe(options.lastSeen())}`
        : `last probe gave ${describe(last)}`;
  throw new E2eError(
    'WAIT_TIMEOUT',
    `timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`,
    {
      cause: lastError,
    },
  );
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 1500 ? `${text.slice(0, 1500)}…` : text;
}
