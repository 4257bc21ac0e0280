// The broker's own share of end-to-end latency: the same 1,000 rec/s, one record per Produce
// (acks=1), but through the test suite's raw wire client instead of kafkajs and kcat, and a
// long-polling Fetch loop that notes the arrival of every offset. What is left is the broker
// (decode, append, wake the parked fetch, read, encode, write) plus two loopback hops and a thin
// Node client: next to the kafkajs/kcat run it tells the broker's part from the clients'.
import { API, batch, fetchRequest, produceRequest } from '../src/api/test-support/requests.ts';
import { WireClient } from '../src/api/test-support/wire-client.ts';
import { readBatchInfo } from '../src/storage/record-batch.ts';
import { percentile } from './latency.ts';
import type { LatencyResult } from './latency.ts';

export interface WireLatencyResult extends LatencyResult {
  /** Produce request written -> its response read (acks=1), p50 / p99. */
  produceAckP50Ms: number;
  produceAckP99Ms: number;
}

const PRODUCE_VERSION = 9;
const FETCH_VERSION = 12;

function summary(values: number[]): { p50: number; p90: number; p99: number; p999: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
  };
}

export async function measureWireLatency(
  port: number,
  topic: string,
  rate: number,
  seconds: number,
  warmup: number,
  host = '127.0.0.1',
): Promise<WireLatencyResult> {
  const total = Math.round(rate * seconds) + warmup;
  const fetchWaitMaxMs = 500;
  const sentAt: number[] = new Array(total);
  const arrival: number[] = [];
  const acks: number[] = [];

  const consumer = await WireClient.connect(port, host);
  const producer = await WireClient.connect(port, host);
  let nextOffset = 0;
  const consumed = (async () => {
    while (nextOffset < total) {
      const res = await consumer.send(
        API.FETCH,
        FETCH_VERSION,
        fetchRequest([{ topic, partition: 0, offset: nextOffset }], {
          maxWaitMs: fetchWaitMaxMs,
          minBytes: 1,
        }),
      );
      const now = performance.now();
      const p = res.responses[0]?.partitions[0];
      if (!p || p.errorCode !== 0) throw new Error(`fetch error ${p?.errorCode}`);
      const records: Buffer | null = p.records;
      if (!records) continue;
      for (let pos = 0; pos + 61 <= records.length;) {
        const info = readBatchInfo(records, pos);
        const last = info.baseOffset + info.lastOffsetDelta;
        for (let o = Math.max(info.baseOffset, nextOffset); o <= last && o < total; o++)
          arrival[o] = now - sentAt[o];
        nextOffset = Math.max(nextOffset, last + 1);
        pos += info.size;
      }
    }
  })();

  const pad = 'p'.repeat(80);
  const t0 = performance.now();
  let sent = 0;
  const pending = new Set<Promise<unknown>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    while (sent < due) {
      const records = batch([pad]);
      const started = performance.now();
      sentAt[sent] = started;
      const req = producer
        .send(API.PRODUCE, PRODUCE_VERSION, produceRequest(topic, 0, records, 1))
        .then((res) => {
          const code = res.responses[0].partitionResponses[0].errorCode;
          if (code !== 0) throw new Error(`produce error ${code}`);
          acks.push(performance.now() - started);
        })
        .finally(() => pending.delete(req));
      pending.add(req);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  await consumed;
  await Promise.all([consumer.close(), producer.close()]);

  const measured = arrival.slice(warmup);
  const s = summary(measured);
  const ack = summary(acks.slice(warmup));
  let stallEpisodes = 0;
  let inStall = false;
  for (const v of measured) {
    if (v > 5 && !inStall) stallEpisodes++;
    inStall = v > 5;
  }
  return {
    rate,
    fetchWaitMaxMs,
    samples: measured.length,
    warmupDiscarded: warmup,
    p50Ms: s.p50,
    p90Ms: s.p90,
    p99Ms: s.p99,
    p999Ms: s.p999,
    maxMs: Math.max(...measured),
    over5msShare: measured.filter((v) => v > 5).length / measured.length,
    stallEpisodes,
    produceAckP50Ms: ack.p50,
    produceAckP99Ms: ack.p99,
  };
}
