import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  publishOrderRound,
  publishStockLevels,
} from '../dashboard/test-support/live-retail-events.ts';
import type { RunningAnalytics } from '../start-analytics.ts';
import type { AnalyticsSummary } from '../summary/summary-types.ts';
import {
  aggregatesOf,
  eventually,
  getSummary,
  startAnalyticsEnvironment,
  type AnalyticsEnvironment,
} from '../test-support/analytics-environment.ts';
import { analyticsTopicNames } from '../consuming/analytics-consumer.ts';
import type { ReplayView } from './replay-coordinator.ts';

// A replay is an operator's action (issue #15 part 7): it needs the control token, runs at a bounded
// pace, and a restart pauses it until an operator resumes it.
const TOKEN = 'replay-test-token';
const operator = { authorization: `Bearer ${TOKEN}` };

let env: AnalyticsEnvironment;
const running: RunningAnalytics[] = [];

async function start(database: string, extra: Record<string, string> = {}) {
  const analytics = await env.startAnalytics(database, { DEMO_CONTROL_TOKEN: TOKEN, ...extra });
  running.push(analytics);
  return analytics;
}

/**
 * Stops an instance. Every instance here starts in the default group `analytics` on one broker: its
 * committed offsets go with the instance, so that the next one (on a database of its own) reads the
 * topics from the beginning too.
 */
async function stop(analytics: RunningAnalytics) {
  running.splice(running.indexOf(analytics), 1);
  await analytics.stop();
  const admin = env.kafka.admin();
  await admin.connect();
  await admin.deleteGroups(['analytics']).catch(() => undefined);
  await admin.disconnect();
}

async function replayView(analytics: RunningAnalytics, id: string): Promise<ReplayView> {
  return (await (await fetch(`${analytics.url}/api/replay/${id}`)).json()) as ReplayView;
}

async function startReplay(analytics: RunningAnalytics): Promise<ReplayView> {
  const response = await fetch(`${analytics.url}/api/replay`, {
    method: 'POST',
    headers: operator,
  });
  expect(response.status).toBe(202);
  return (await response.json()) as ReplayView;
}

/**
 * What a replay must reproduce here. The stock join is left out: these instances read the stock
 * table and the orders live at once (everything was published before they started), so which orders
 * met which level is a race live and ordered in a replay (tables first).
 */
function replayed(summary: AnalyticsSummary) {
  const { stock: _stock, ...rest } = aggregatesOf(summary);
  return rest;
}

/**
 * Consumed everything published so far: the aggregates a replay must rebuild. Orders and their
 * reservation results are on different topics, read at once, so a count of orders says nothing of
 * the results: a summary taken when the orders were all counted could lack outcomes and latencies
 * the live run counts a moment later, and the replay would rightly end with more. Caught up is the
 * live group's committed offset at the end of every partition it reads: the runner commits a record
 * only once the pipeline has its effects in the database, so the summary read after it has them all.
 */
async function caughtUp(analytics: RunningAnalytics, orders: number) {
  const { groupId } = (await getSummary(analytics.url)).processing;
  await eventually(
    `group ${groupId} to have committed every topic to its end`,
    () => env.streaming.lag(groupId, analyticsTopicNames),
    (lag) => lag.length > 0 && lag.every((partition) => partition.lag === 0),
    60_000,
  );
  const summary = await getSummary(analytics.url);
  expect(summary.perMinute.reduce((sum, row) => sum + row.orders, 0)).toBe(orders);
  // publishOrderRound gives every order one reservation result: all of them are counted too.
  const { async, sync } = summary.outcomes;
  expect(async.confirmed + async.rejected + sync.confirmed + sync.rejected).toBe(orders);
  return summary;
}

beforeAll(async () => {
  env = await startAnalyticsEnvironment();
  await publishStockLevels(env);
  for (let round = 0; round < 4; round++) await publishOrderRound(env, 40);
});

afterEach(async () => {
  for (const analytics of [...running]) await stop(analytics);
});

afterAll(async () => {
  await env?.stop();
});

describe('a replay', { timeout: 300_000 }, () => {
  it('needs the control token: without it, or with a wrong one, nothing is replayed', async () => {
    const analytics = await start('replay_token');
    const before = await caughtUp(analytics, 160);
    for (const headers of [
      {},
      { authorization: 'Bearer not-the-token' },
      { authorization: TOKEN },
    ]) {
      const response = await fetch(`${analytics.url}/api/replay`, { method: 'POST', headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    }
    const resume = await fetch(
      `${analytics.url}/api/replay/00000000-0000-4000-8000-000000000001/resume`,
      { method: 'POST' },
    );
    expect(resume.status).toBe(401);
    const after = await getSummary(analytics.url);
    expect(after.processing).toMatchObject({ groupId: before.processing.groupId, replay: null });
    await stop(analytics);

    // No token configured (a deployment without the demo's controls): replays are off, and say why.
    const open = await env.startAnalytics('replay_no_token');
    running.push(open);
    const refused = await fetch(`${open.url}/api/replay`, { method: 'POST', headers: operator });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'OPERATOR_ACTIONS_DISABLED' });
  });

  it('is held to its bounded pace until it has caught up, and ends with the same numbers', async () => {
    const analytics = await start('replay_bounded', { REPLAY_MAX_RECORDS_PER_SECOND: '40' });
    const before = await caughtUp(analytics, 160);
    const replay = await startReplay(analytics);
    expect(replay.rate.maxRecordsPerSecond).toBe(40);
    // About 330 records at 40/s: the limit must hold the replay back before it is done.
    const held = await eventually(
      'the rate limit to hold the replay back',
      () => replayView(analytics, replay.id),
      (view) => view.rate.throttledMs > 0 || view.status !== 'running',
      60_000,
    );
    expect(held).toMatchObject({ status: 'running' });
    expect(held.progress.fraction).toBeLessThan(1);
    const done = await eventually(
      'the replay to complete',
      () => replayView(analytics, replay.id),
      (view) => view.status !== 'running',
      120_000,
    );
    expect(done).toMatchObject({ status: 'completed', progress: { fraction: 1 } });
    expect(replayed(await getSummary(analytics.url))).toEqual(replayed(before));
  });

  it('is paused by a restart, not continued, until an operator resumes it', async () => {
    // Slow enough that the replay is still under way when the stop lands on a loaded CI machine.
    let analytics = await start('replay_restart', { REPLAY_MAX_RECORDS_PER_SECOND: '10' });
    const before = await caughtUp(analytics, 160);
    const replay = await startReplay(analytics);
    await eventually(
      'the replay to be under way',
      () => replayView(analytics, replay.id),
      (view) => view.phase === 'streams' && view.progress.processedRecords > 0,
      60_000,
    );
    await stop(analytics);

    analytics = await start('replay_restart', { REPLAY_MAX_RECORDS_PER_SECOND: '10' });
    const paused = await replayView(analytics, replay.id);
    expect(paused).toMatchObject({ status: 'paused', phase: 'streams' });
    expect(paused.error).toMatch(/interrupted by a restart/);
    expect(paused.progress.fraction).toBeGreaterThan(0);
    expect(paused.progress.fraction).toBeLessThan(1);
    // Nothing consumes the replay's group while it is paused.
    const admin = env.kafka.admin();
    await admin.connect();
    const [group] = (await admin.describeGroups([replay.groupId])).groups;
    await admin.disconnect();
    expect(group?.members ?? []).toEqual([]);
    expect((await getSummary(analytics.url)).processing.replay).toMatchObject({
      id: replay.id,
      status: 'paused',
    });
    // Another replay cannot start over it.
    const another = await fetch(`${analytics.url}/api/replay`, {
      method: 'POST',
      headers: operator,
    });
    expect(another.status).toBe(409);

    const unauthorised = await fetch(`${analytics.url}/api/replay/${replay.id}/resume`, {
      method: 'POST',
    });
    expect(unauthorised.status).toBe(401);
    const resumed = await fetch(`${analytics.url}/api/replay/${replay.id}/resume`, {
      method: 'POST',
      headers: operator,
    });
    expect(resumed.status).toBe(202);
    const done = await eventually(
      'the resumed replay to complete',
      () => replayView(analytics, replay.id),
      (view) => view.status !== 'running',
      120_000,
    );
    expect(done).toMatchObject({ status: 'completed', error: null });
    expect(replayed(await getSummary(analytics.url))).toEqual(replayed(before));
  });
});
