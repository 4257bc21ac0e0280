// Test support: a GroupCoordinator over a real LogManager in a temp dir, on a manual clock with no
// timer: the tests call tick(now) themselves, so session expiry and rebalance deadlines are checked
// without waiting for real time to pass. `useCoordinatorFixture()` gives each test a fresh one;
// `coordinator`, `clock` and `logs` are live bindings to the current test's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { ErrorCode as E } from '../../errors/index.ts';
import { LogManager } from '../../storage/index.ts';
import { encodeSubscription } from '../consumer-protocol.ts';
import type { JoinResult } from '../consumer-group.ts';
import { GroupCoordinator } from '../group-coordinator.ts';
import type { GroupCoordinatorOptions, JoinRequest } from '../group-coordinator.ts';
import { OffsetsTopicStore } from '../offsets-topic.ts';

export interface Tracked<T> {
  done: boolean;
  value: T | undefined;
}

export function track<T>(p: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { done: false, value: undefined };
  void p.then((v) => {
    t.done = true;
    t.value = v;
  });
  return t;
}

export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export const SESSION = 10_000;
export const REBALANCE = 30_000;

let dir: string;
export let logs: LogManager;
export let clock: number;
export let coordinator: GroupCoordinator;

/** A coordinator over the current logs and clock (the offsets topic is replayed, as at a restart). */
export function open(options: Partial<GroupCoordinatorOptions> = {}): GroupCoordinator {
  return new GroupCoordinator({
    store: OffsetsTopicStore.open(logs),
    partitionCount: (topic) => logs.getTopic(topic)?.partitionCount,
    tickIntervalMs: null,
    now: () => clock,
    ...options,
  });
}

/** Replaces `coordinator` with a fresh one (close the old one first when the test needs it closed). */
export function reopen(options: Partial<GroupCoordinatorOptions> = {}): GroupCoordinator {
  coordinator = open(options);
  return coordinator;
}

/** Closes and reopens the LogManager over the same directory, as a broker restart does. */
export async function restartLogs(): Promise<void> {
  await logs.close();
  logs = await LogManager.open({ logDir: dir, defaults: {} });
}

export function advanceClock(ms: number): number {
  clock += ms;
  return clock;
}

/** Registers the per-test set-up and tear-down: fresh log dir with topics orders (6) and payments (2). */
export function useCoordinatorFixture(): void {
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'group-coordinator-'));
    logs = await LogManager.open({ logDir: dir, defaults: {} });
    logs.createTopic('orders', 6);
    logs.createTopic('payments', 2);
    clock = 1_000_000;
    coordinator = open();
  });

  afterEach(async () => {
    coordinator.close();
    await logs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

export function joinRequest(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(['orders']) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
    ...overrides,
  };
}

/** The v4+ handshake: a first join gets an id (MEMBER_ID_REQUIRED), the second join uses it. */
export async function memberId(overrides: Partial<JoinRequest> = {}): Promise<string> {
  const first = await coordinator.join(joinRequest(overrides));
  expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED);
  return first.memberId;
}

/** Joins `n` members and completes the rebalance (leader syncs an assignment naming each member). */
export async function stableGroup(n: number, overrides: Partial<JoinRequest> = {}) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await memberId(overrides));
  // All known members must rejoin: the first join completes only once the others are in.
  const joins = ids.map((id) =>
    track(coordinator.join(joinRequest({ ...overrides, memberId: id }))),
  );
  // Earlier members were waiting alone in earlier generations: rejoin every member until all agree.
  await flush();
  for (
    let round = 0;
    round < n && !joins.every((j) => j.done && j.value?.errorCode === E.NONE);
    round++
  ) {
    for (let i = 0; i < n; i++) {
      if (joins[i].done)
        joins[i] = track(coordinator.join(joinRequest({ ...overrides, memberId: ids[i] })));
    }
    await flush();
  }
  const results = joins.map((j) => j.value as JoinResult);
  const generationId = results[0].generationId;
  expect(results.every((r) => r.errorCode === E.NONE && r.generationId === generationId)).toBe(
    true,
  );
  const leader = results.find((r) => r.members.length > 0) as JoinResult;
  const syncs = ids.map((id) =>
    coordinator.sync({
      groupId: 'g',
      generationId,
      memberId: id,
      groupInstanceId: overrides.groupInstanceId ?? null,
      protocolType: null,
      protocolName: null,
      assignments:
        id === leader.memberId
          ? ids.map((m) => ({ memberId: m, assignment: Buffer.from(`for ${m}`) }))
          : [],
    }),
  );
  const synced = await Promise.all(syncs);
  expect(synced.map((s) => s.errorCode)).toEqual(ids.map(() => E.NONE));
  return { ids, generationId, leader: leader.memberId, results };
}

/** The `topics` of a commit of one offset to one partition. */
export const commitOf = (offset: number, partitionIndex = 0, topic = 'orders') => [
  {
    name: topic,
    partitions: [
      {
        partitionIndex,
        committedOffset: offset,
        committedLeaderEpoch: 0,
        committedMetadata: 'meta',
      },
    ],
  },
];
