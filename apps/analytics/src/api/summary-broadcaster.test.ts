import { createLogger, createServiceApp, startHttpServer } from '@retail-streams/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnalyticsSummary } from '../summary/summary-types.ts';
import { SummaryBroadcaster } from './summary-broadcaster.ts';

const logger = createLogger('analytics', { level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real HTTP server whose only route is the event stream; `reads` counts summary reads. */
async function serve(options: { throttleMs: number; keepAliveMs: number }) {
  let reads = 0;
  const broadcaster = new SummaryBroadcaster({
    ...options,
    logger,
    read: async () => {
      reads += 1;
      return { generatedAt: String(reads) } as AnalyticsSummary;
    },
  });
  const app = createServiceApp({
    name: 'analytics',
    logger,
    routes: (router) => router.get('/stream', (_req, res) => broadcaster.connect(res)),
  });
  const server = await startHttpServer(app, 0);
  cleanups.push(() => server.close(100));
  cleanups.push(() => broadcaster.close());
  return { broadcaster, url: `${server.url}/stream`, reads: () => reads };
}

/** Reads the stream until `until` matches the text received so far. */
async function readUntil(url: string, until: (text: string) => boolean) {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const more = async () => {
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    return text;
  };
  return { text: await more(), response, controller, more };
}

async function eventually(what: string, check: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SummaryBroadcaster', () => {
  it('sends a snapshot on connect, then keep-alive comments while nothing changes', async () => {
    const { url } = await serve({ throttleMs: 10, keepAliveMs: 30 });
    const stream = await readUntil(url, (text) => text.includes(': keep-alive'));
    stream.controller.abort();
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.text).toMatch(/event: summary\ndata: \{"generatedAt":"1"\}\n\n/);
  });

  it('coalesces a burst of changes into few summaries', async () => {
    const { broadcaster, url, reads } = await serve({ throttleMs: 200, keepAliveMs: 60_000 });
    const stream = await readUntil(url, (text) => text.includes('"1"'));
    for (let i = 0; i < 50; i++) broadcaster.changed();
    await eventually('a summary after the burst', () => reads() >= 2);
    stream.controller.abort();
    // One snapshot, then one (at most two, if the burst straddled an interval) for 50 changes.
    expect(reads()).toBeLessThanOrEqual(3);
  });

  it('forgets clients that disconnect', async () => {
    const { broadcaster, url } = await serve({ throttleMs: 10, keepAliveMs: 60_000 });
    const first = await readUntil(url, (text) => text.includes('event: summary'));
    const second = await readUntil(url, (text) => text.includes('event: summary'));
    expect(broadcaster.clientCount).toBe(2);
    first.controller.abort();
    await eventually('the disconnected client to be dropped', () => broadcaster.clientCount === 1);
    second.controller.abort();
    await eventually('every client to be dropped', () => broadcaster.clientCount === 0);
  });
});
