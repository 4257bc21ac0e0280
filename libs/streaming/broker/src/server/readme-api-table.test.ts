// The README's table of APIs is documentation of what the broker advertises; this keeps it true.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../api/test-support/broker-fixture.ts';
import type { TestBroker } from '../api/test-support/broker-fixture.ts';
import { API_ENTRIES, ApiKey, isApiKey } from '../protocol/index.ts';

let t: TestBroker;

beforeAll(async () => {
  t = await startTestBroker();
});

afterAll(async () => {
  await t.close();
});

/** The rows of "APIs and advertised versions": key, name and "min–max". */
function readmeTable(): Array<[number, string, string]> {
  const readme = fs.readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## APIs and advertised versions'));
  return [...section.matchAll(/^\| (\d+)\s+\| (\w+)\s+\| (\d+–\d+)\s+\|/gm)].map((m) => [
    Number(m[1]),
    m[2],
    m[3],
  ]);
}

describe('server/README.md', () => {
  it('lists exactly the APIs and versions ApiVersions advertises', async () => {
    const c = await t.connect();
    const res = await c.send(ApiKey.ApiVersions, 3, {
      clientSoftwareName: 'readme-check',
      clientSoftwareVersion: '1',
    });
    const advertised = res.apiKeys.map((k): [number, string, string] => [
      k.apiKey,
      isApiKey(k.apiKey) ? API_ENTRIES[k.apiKey].name : `?${k.apiKey}`,
      `${k.minVersion}–${k.maxVersion}`,
    ]);
    expect(readmeTable()).toEqual(advertised);
  });
});
