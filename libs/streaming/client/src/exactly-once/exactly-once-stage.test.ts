import { topics } from '@retail-streams/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStreamingFixture } from '../test-support/streaming-fixture.ts';
import type { StageOutput, StageRecord, StageState } from './exactly-once-stage.ts';

type Fixture = Awaited<ReturnType<typeof startStreamingFixture>>;
let fixture: Fixture;

beforeAll(async () => {
  fixture = await startStreamingFixture('exactly-once-stage-test');
});
afterAll(async () => {
  await fixture?.stop();
});

// Six partitions in, whatever the records say: the stage never decodes them.
const INPUT = topics.reservationResult.name;
const OUTPUT = topics.salesPerMinute.name;

/** Echoes each record's value to the output, keyed by a run id, and resumes after what it read. */
class EchoState implements StageState {
  readonly run: string;
  constructor(run: string) {
    this.run = run;
  }
  apply(record: StageRecord): StageOutput[] {
    if (!record.value?.toString().startsWith(this.run)) return [];
    return [{ topic: OUTPUT, key: this.run, value: record.value }];
  }
  resumeOffset(_partition: number, next: string): string {
    return next;
  }
  checkpoint(): string {
    return '';
  }
}

describe('the exactly-once stage', () => {
  it('gathers the batches of a commit interval into one transaction, and commits the last one at stop', async () => {
    const run = `run-${Date.now()}`;
    let transactions = 0;
    const stage = fixture.streaming.exactlyOnceStage({
      groupId: `eos-${run}`,
      transactionalId: `eos-${run}`,
      topic: INPUT,
      createState: () => new EchoState(run),
      onCommit: () => {
        transactions += 1;
      },
    });
    await stage.start();
    // 30 records 10 ms apart over all six partitions: kafkajs hands each over as a batch of its own.
    for (let index = 0; index < 30; index += 1) {
      await fixture.streaming.producer.sendRecords(INPUT, [
        { key: null, value: Buffer.from(`${run}:${index}`), partition: index % 6 },
      ]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Until 30 of ours are out: partitions' batches may commit in any order, so the last input
    // need not be the last output (waiting for `:29` alone missed a later transaction's `:28`).
    let seen = 0;
    const outputs = await fixture.readTopic(OUTPUT, (message) => {
      if (message.key?.toString() === run) seen += 1;
      return seen === 30;
    });
    await stage.stop();

    const ours = outputs.filter((message) => message.key?.toString() === run);
    // Each input once in the output, none twice, none missing.
    const expected = Array.from({ length: 30 }, (_, index) => `${run}:${index}`);
    expect(ours.map((message) => message.value?.toString()).sort()).toEqual(expected.sort());
    // About half a second of input in 100 ms transactions; one per batch would have made 30.
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThanOrEqual(12);
    await eventually('the stop to commit every offset', async () => {
      const lag = await fixture.streaming.lag(`eos-${run}`, [INPUT]);
      return lag.every((partition) => partition.lag === 0);
    });
  });
});
