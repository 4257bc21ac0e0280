/**
 * Informal throughput check of the storage hot paths (not a test):
 *   node_modules/.bin/node libs/streaming/broker/src/storage/bench/storage-bench.ts [MiB]
 * Appends 1 KiB records in ~16 KiB batches (as producers send them), then
 * reads everything back in 1 MiB fetches, and measures CRC-32C alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32c } from '../crc32c.ts';
import { PartitionLog } from '../partition-log.ts';
import { encodeRecordBatch } from '../record-batch.ts';
import { resolveTopicConfig } from '../topic-config.ts';

const totalMiB = Number(process.argv[2] ?? 512);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-bench-'));
const log = PartitionLog.open({
  dir,
  topic: 'bench',
  partition: 0,
  config: resolveTopicConfig({}, { 'segment.bytes': String(256 * 1024 * 1024) }),
});

const value = Buffer.alloc(1024, 'v');
const template = encodeRecordBatch({
  records: Array.from({ length: 16 }, (_, i) => ({ key: `k${i}`, value })),
});
const batches = Math.ceil((totalMiB * 1024 * 1024) / template.length);

let t = performance.now();
for (let i = 0; i < batches; i++) {
  // A fresh copy per append, as a decoded Produce request would hand over.
  log.append(Buffer.from(template), Date.now());
}
let secs = (performance.now() - t) / 1000;
const bytes = batches * template.length;
console.log(
  `append: ${(bytes / 1048576 / secs).toFixed(0)} MiB/s (${batches} batches of ${template.length} B, ${log.segmentCount} segments)`,
);

t = performance.now();
let offset = 0;
let read = 0;
while (offset < log.logEndOffset) {
  const buf = log.read(offset, 1024 * 1024, true);
  read += buf.length;
  // Next fetch offset: after the last batch returned (its base offset + lastOffsetDelta + 1).
  let pos = 0;
  let last = offset;
  while (pos < buf.length) {
    const base = Number(buf.readBigInt64BE(pos));
    last = base + buf.readInt32BE(pos + 23) + 1;
    pos += buf.readInt32BE(pos + 8) + 12;
  }
  offset = last;
}
secs = (performance.now() - t) / 1000;
console.log(`read: ${(read / 1048576 / secs).toFixed(0)} MiB/s (1 MiB fetches)`);

const big = Buffer.alloc(64 * 1024 * 1024, 7);
t = performance.now();
for (let i = 0; i < 8; i++) crc32c(big);
console.log(`crc32c: ${((8 * 64) / ((performance.now() - t) / 1000)).toFixed(0)} MiB/s`);

log.close();
fs.rmSync(dir, { recursive: true, force: true });
