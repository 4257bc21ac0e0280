import { createEvent, topics } from '@retail-streams/contracts';
import {
  activeSpanContext,
  applyMigrations,
  createLogger,
  createPrismaClient,
  sqlClientOf,
  startTelemetry,
  withSpan,
} from '@retail-streams/service-kit';
import { startTestPostgres, type TestPostgres } from '@retail-streams/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../generated/prisma/client.ts';
import { migrationsDir } from '../start-analytics.ts';
import { AnalyticsPipeline } from './analytics-pipeline.ts';
import { aggregations, buildAnalyticsTopology } from './analytics-topology.ts';

const logger = createLogger('analytics', { level: 'silent' });
const topology = buildAnalyticsTopology();
let postgres: TestPostgres;
const clients: PrismaClient[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.$disconnect()));
  await postgres?.stop();
});

async function freshDatabase(name: string) {
  const databaseUrl = await postgres.createDatabase(name);
  await applyMigrations({ databaseUrl, migrationsDir, logger });
  const db = createPrismaClient(PrismaClient, databaseUrl);
  clients.push(db);
  return db;
}

const minute = Date.parse('2026-11-20T10:00:00.000Z');

function order(n: number, second: number) {
  const orderId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return createEvent(
    topics.orderPlaced,
    'OrderPlaced',
    { orderId, customerId: 'c', lines: [{ sku: 'SKU-A', quantity: 1 }], mode: 'async' },
    { source: 'sales', correlationId: orderId, occurredAt: new Date(minute + second * 1000) },
  );
}

const record = (partition: number, offset: number, value: unknown) => ({
  topic: topics.orderPlaced.name,
  partition,
  offset: String(offset),
  key: null,
  value,
});

async function ordersInMinute(db: PrismaClient): Promise<number | undefined> {
  const row = await db.windowResult.findFirst({
    where: { aggregation: aggregations.ordersPerMinute, windowStart: BigInt(minute) },
  });
  return (row?.value as { orders: number } | undefined)?.orders;
}

describe('AnalyticsPipeline', () => {
  it('counts a redelivered record once, also after a restart', async () => {
    const db = await freshDatabase('pipeline_redelivery');
    const first = await AnalyticsPipeline.open({ db, groupId: 'analytics', topology, logger });
    expect(await first.handle(record(0, 0, order(1, 1)))).toBe('processed');
    expect(await first.handle(record(0, 1, order(2, 2)))).toBe('processed');
    expect(await first.handle(record(0, 1, order(2, 2)))).toBe('duplicate');
    await first.close();

    // A new instance resumes from the committed checkpoint: the consumer may redeliver what it had not
    // committed, and it is recognised.
    const second = await AnalyticsPipeline.open({ db, groupId: 'analytics', topology, logger });
    expect(await second.handle(record(0, 1, order(2, 2)))).toBe('duplicate');
    expect(await second.handle(record(0, 2, order(3, 3)))).toBe('processed');
    await second.close();
    expect(await ordersInMinute(db)).toBe(3);
    const [timings] = await db.$queryRawUnsafe<Array<{ count: number }>>(
      'SELECT count(*)::int AS count FROM order_timings',
    );
    expect(timings!.count).toBe(3);
  });

  it('fails the records of a failed commit back to the consumer and counts them once on retry', async () => {
    const db = await freshDatabase('pipeline_commit_failure');
    const pipeline = await AnalyticsPipeline.open({ db, groupId: 'analytics', topology, logger });
    await pipeline.handle(record(0, 0, order(1, 1)));

    // Another group owns the state now (what a replay does): this pipeline's commits are refused.
    await db.$executeRawUnsafe(`UPDATE processing_state SET group_id = 'someone-else'`);
    await expect(pipeline.handle(record(0, 1, order(2, 2)))).rejects.toMatchObject({
      code: 'STALE_CONSUMER_GROUP',
    });
    await db.$executeRawUnsafe(`UPDATE processing_state SET group_id = 'analytics'`);

    // The runner retries the record: the rebuilt processor has not counted it yet.
    expect(await pipeline.handle(record(0, 1, order(2, 2)))).toBe('processed');
    await pipeline.close();
    expect(await ordersInMinute(db)).toBe(2);
  });

  it('reports a record as committed only once its effects are in the database', async () => {
    const db = await freshDatabase('pipeline_committed_positions');
    const pipeline = await AnalyticsPipeline.open({
      db,
      groupId: 'analytics',
      topology,
      logger,
      minCommitIntervalMs: 300,
    });
    const last = (positions: ReturnType<typeof pipeline.positions>) =>
      positions.map((position) => `${position.partition}@${position.lastProcessedOffset}`);
    await pipeline.handle(record(0, 0, order(1, 1)));
    expect(last(pipeline.committedPositions())).toEqual(['0@0']);

    // The second record is processed at once, and committed only after the commit interval: until
    // then a replay that waited for it must not be called complete (the aggregates lack it).
    const second = pipeline.handle(record(0, 1, order(2, 2)));
    expect(last(pipeline.positions())).toEqual(['0@1']);
    expect(last(pipeline.committedPositions())).toEqual(['0@0']);
    expect(await ordersInMinute(db)).toBe(1);
    await second;
    expect(last(pipeline.committedPositions())).toEqual(['0@1']);
    expect(await ordersInMinute(db)).toBe(2);

    // A commit that fails leaves the committed positions where they were.
    await db.$executeRawUnsafe(`UPDATE processing_state SET group_id = 'someone-else'`);
    await expect(pipeline.handle(record(0, 2, order(3, 3)))).rejects.toMatchObject({
      code: 'STALE_CONSUMER_GROUP',
    });
    expect(last(pipeline.committedPositions())).toEqual(['0@1']);
    await db.$executeRawUnsafe(`UPDATE processing_state SET group_id = 'analytics'`);
    await pipeline.close();
  });

  it('commits records of several partitions arriving together in one transaction', async () => {
    const db = await freshDatabase('pipeline_group_commit');
    const pipeline = await AnalyticsPipeline.open({ db, groupId: 'analytics', topology, logger });
    const outcomes = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((partition) =>
        pipeline.handle(record(partition, 0, order(partition, 5))),
      ),
    );
    expect(outcomes).toEqual(Array(6).fill('processed'));
    expect(pipeline.commits).toBe(1);
    await pipeline.close();
    expect(await ordersInMinute(db)).toBe(6);
  });

  it('commits a batch with one group commit, spacing commits by minCommitIntervalMs', async () => {
    const db = await freshDatabase('pipeline_batches');
    const pipeline = await AnalyticsPipeline.open({
      db,
      groupId: 'analytics',
      topology,
      logger,
      minCommitIntervalMs: 300,
    });
    const started = performance.now();
    expect(
      await pipeline.handleBatch([record(0, 0, order(1, 1)), record(0, 1, order(2, 2))]),
    ).toEqual(['processed', 'processed']);
    expect(pipeline.commits).toBe(1);
    // The second batch (with a redelivered record) waits for the interval, then commits once.
    expect(
      await pipeline.handleBatch([record(0, 1, order(2, 2)), record(0, 2, order(3, 3))]),
    ).toEqual(['duplicate', 'processed']);
    expect(pipeline.commits).toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    await pipeline.close();
    expect(await ordersInMinute(db)).toBe(3);
  });

  it('counts none of a batch when one of its records breaks the processor', async () => {
    const db = await freshDatabase('pipeline_batch_poison');
    const pipeline = await AnalyticsPipeline.open({ db, groupId: 'analytics', topology, logger });
    const broken = record(0, 1, { not: 'an event' });
    await expect(
      pipeline.handleBatch([record(0, 0, order(1, 1)), broken, record(0, 2, order(3, 3))]),
    ).rejects.toMatchObject({ name: 'NonRetriableError' });
    // What the runner does next: the records one at a time, the broken one dead-lettered.
    expect(await pipeline.handle(record(0, 0, order(1, 1)))).toBe('processed');
    await expect(pipeline.handle(broken)).rejects.toMatchObject({ name: 'NonRetriableError' });
    expect(await pipeline.handle(record(0, 2, order(3, 3)))).toBe('processed');
    await pipeline.close();
    expect(await ordersInMinute(db)).toBe(2);
  });

  it("commits in a span of its own linked to each record's trace, whichever batch started the loop", async () => {
    const db = await freshDatabase('pipeline_commit_span');
    const telemetry = startTelemetry({ serviceName: 'analytics', env: {} });
    try {
      // The production database client (start-analytics): raw SQL, one span per statement.
      const pipeline = await AnalyticsPipeline.open({
        db: sqlClientOf(db),
        groupId: 'analytics',
        topology,
        logger,
        minCommitIntervalMs: 200,
      });
      // Each record as the consumer hands it over: inside its batch, with its process span.
      const consume = (name: string, offset: number, n: number) =>
        withSpan(name, () =>
          pipeline.handle({ ...record(0, offset, order(n, n)), trace: activeSpanContext() }),
        );
      const first = consume('process first', 0, 1);
      // Arrives while the first commit runs: the loop the first record started commits it next.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await Promise.all([first, consume('process second', 1, 2)]);
      await pipeline.close();
      expect(pipeline.commits).toBe(2);

      const spans = telemetry.spans.getFinishedSpans();
      const named = (name: string) => spans.filter((span) => span.name === name);
      const processes = ['process first', 'process second'].map((name) => named(name)[0]!);
      const commits = named('group commit analytics');
      expect(commits).toHaveLength(2);
      commits.forEach((commit, index) => {
        // Its own trace, linked to the one record it carries (not to the batch that started it).
        expect(commit.parentSpanContext).toBeUndefined();
        expect(commit.links.map((link) => link.context.spanId)).toEqual([
          processes[index]!.spanContext().spanId,
        ]);
        const statements = spans.filter(
          (span) =>
            span.attributes['db.system.name'] === 'postgresql' &&
            span.spanContext().traceId === commit.spanContext().traceId,
        );
        expect(statements.length).toBeGreaterThan(0);
        for (const statement of statements)
          expect(statement.parentSpanContext?.spanId).toBe(commit.spanContext().spanId);
      });
      // No statement of either commit ran under a record's own span.
      const processIds = new Set(processes.map((span) => span.spanContext().spanId));
      expect(spans.filter((span) => processIds.has(span.parentSpanContext?.spanId ?? ''))).toEqual(
        [],
      );
    } finally {
      await telemetry.shutdown();
    }
  });

  it('refuses records once closed', async () => {
    const db = await freshDatabase('pipeline_closed');
    const pipeline = await AnalyticsPipeline.open({ db, groupId: 'analytics', topology, logger });
    await pipeline.close();
    await expect(pipeline.handle(record(0, 0, order(1, 1)))).rejects.toMatchObject({
      code: 'PIPELINE_CLOSED',
    });
  });
});
