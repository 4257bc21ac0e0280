import { API_BY_KEY } from './generated/index.ts';

/**
 * Imports the codecs of these APIs (by default every API of the table), so that requests for them
 * are handled without waiting. Unknown keys are ignored. Rejects if a codec module fails to load.
 */
export async function loadApiCodecs(apiKeys: Iterable<number> = API_BY_KEY.keys()): Promise<void> {
  const loads: Promise<unknown>[] = [];
  for (const key of apiKeys) {
    const entry = API_BY_KEY.get(key);
    if (entry) loads.push(entry.load());
  }
  await Promise.all(loads);
}
