import { describe, expect, it } from 'vitest';
import { parseRecords, startTimeline } from './start-timeline.ts';

const at = (atMs: number, text: string) => ({ atMs, text });
const t0 = Date.parse('2026-12-05T08:00:00.000Z');
const iso = (ms: number) => new Date(t0 + ms).toISOString();

describe('the start timeline', () => {
  it('reads each step from the orchestrator lines and the processes’ own records', () => {
    const lines = [
      at(10, 'demo       | starting broker'),
      at(20, 'demo       | starting postgres'),
      at(400, 'demo       | postgres ready in 0.4 s (postgresql://…)'),
      at(1_500, 'demo       | broker ready in 1.5 s (127.0.0.1:9092)'),
      at(1_600, 'demo       | starting sales'),
      at(9_600, 'demo       | sales ready in 8.0 s (http://127.0.0.1:3001)'),
      at(9_900, '  retail-streams demo ready in 9.9 s (sales)'),
    ];
    const broker = parseRecords(
      [
        JSON.stringify({
          time: t0 + 300,
          msg: 'log directory loaded after a clean shutdown',
          clean: true,
          ms: 120,
        }),
        JSON.stringify({
          time: t0 + 900,
          msg: 'consumer groups loaded from the offsets topic',
          records: 2000,
          ms: 80,
        }),
        JSON.stringify({ time: t0 + 8_000, msg: 'member session expired', group: 'sales' }),
        'not json',
      ].join('\n'),
    );
    // sales: its code began 3 s after the spawn; database at +0.5 s; joined at +4.0 s; started at +5.0 s.
    const began = 3_000;
    const sales = parseRecords(
      [
        JSON.stringify({ time: iso(began + 500), msg: 'database schema is up to date' }),
        JSON.stringify({ time: iso(began + 4_000), msg: 'joined consumer group' }),
        JSON.stringify({
          time: iso(began + 5_000),
          msg: 'sales started',
          startupMs: 5_000,
          moduleLoadMs: 1_400,
        }),
      ].join('\n'),
    );
    const timeline = startTimeline(lines, { broker, sales }, ['redo starts at 0/1'], ['sales']);

    expect(timeline.demoReadyMs).toBe(9_900);
    expect(timeline.postgres).toEqual({ readyMs: 380, recovered: true });
    expect(timeline.broker).toEqual({
      readyMs: 1_490,
      logLoadMs: 120,
      logDirClean: true,
      groupsLoadMs: 80,
      offsetRecords: 2_000,
      deadMembersExpired: ['sales'],
    });
    expect(timeline.services.sales).toEqual({
      spawnedAtMs: 1_600,
      moduleLoadMs: 1_400,
      databaseMs: 500,
      consumerJoinMs: 3_500,
      // ready 8.0 s after the spawn = 1.4 s of imports + 4.0 s to the join + 2.6 s after it
      afterJoinMs: 2_600,
      readyMs: 8_000,
    });
  });

  it('leaves a step it cannot see empty rather than guessing', () => {
    const timeline = startTimeline([], {}, [], ['analytics']);
    expect(timeline.demoReadyMs).toBeNull();
    expect(timeline.services.analytics?.consumerJoinMs).toBeNull();
    expect(timeline.broker.deadMembersExpired).toEqual([]);
  });
});
