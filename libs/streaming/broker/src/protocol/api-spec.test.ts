import { describe, expect, it } from 'vitest';
import { ApiEntry } from './api-spec.ts';
import type { ApiSpec, ApiVersionInfo } from './api-spec.ts';
import { METADATA_API } from './generated/metadata.ts';

const INFO: ApiVersionInfo = {
  apiKey: METADATA_API.apiKey,
  name: METADATA_API.name,
  minVersion: METADATA_API.minVersion,
  maxVersion: METADATA_API.maxVersion,
  flexibleMin: METADATA_API.flexibleMin,
  latestVersionUnstable: METADATA_API.latestVersionUnstable,
};

/** An importer that counts its calls and can be made to fail. */
function importer(failures = 0): { calls: number; load: () => Promise<ApiSpec> } {
  const state = {
    calls: 0,
    load: async (): Promise<ApiSpec> => {
      state.calls++;
      if (state.calls <= failures) throw new Error('EMFILE: too many open files');
      return METADATA_API;
    },
  };
  return state;
}

describe('ApiEntry', () => {
  it('knows the version range before any codec is loaded', () => {
    const entry = new ApiEntry(INFO, importer().load);
    expect(entry).toMatchObject({ apiKey: 3, name: 'Metadata', minVersion: 0, flexibleMin: 9 });
    expect(entry.codecs).toBeUndefined();
  });

  it('imports the codecs once, however many requests ask at the same time', async () => {
    const imp = importer();
    const entry = new ApiEntry(INFO, imp.load);
    const [a, b] = await Promise.all([entry.load(), entry.load()]);
    expect(a).toBe(METADATA_API);
    expect(b).toBe(METADATA_API);
    expect(await entry.load()).toBe(METADATA_API);
    expect(imp.calls).toBe(1);
  });

  it('hands out loaded codecs synchronously', async () => {
    const entry = new ApiEntry(INFO, importer().load);
    await entry.load();
    expect(entry.codecs).toBe(METADATA_API);
  });

  it('tries the import again after a failed one', async () => {
    const imp = importer(1);
    const entry = new ApiEntry(INFO, imp.load);
    await expect(entry.load()).rejects.toThrow('EMFILE');
    expect(entry.codecs).toBeUndefined();
    expect(await entry.load()).toBe(METADATA_API);
    expect(imp.calls).toBe(2);
  });
});
