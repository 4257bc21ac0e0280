/**
 * Transaction markers: the control batches that end a transaction in each partition it wrote to.
 * A marker is a batch with the transactional and control attributes, the producer's id and epoch,
 * and one record whose key says COMMIT or ABORT (int16 version 0, int16 type) and whose value
 * carries the coordinator epoch (int16 version 0, int32 epoch). Consumers never see these records:
 * every client skips control batches, and read_committed ones use them to end aborted transactions.
 */
import { encodeRecordBatch } from '../storage/index.ts';

export { ControlType } from '../storage/index.ts';
import { ControlType } from '../storage/index.ts';

export interface MarkerInput {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestamp: number;
}

export function encodeMarkerBatch(m: MarkerInput): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(m.commit ? ControlType.COMMIT : ControlType.ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(m.coordinatorEpoch, 2);
  return encodeRecordBatch({
    records: [{ key, value, timestamp: m.timestamp }],
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}

/**
 * The control type of the control batch at `pos` (COMMIT or ABORT), or null for a control record
 * this broker does not know (Kafka has others, e.g. leader-change records: they end no transaction).
 * Storage reads markers too (rebuilding aborted-transaction indexes, compaction), so it owns this.
 */
export { readControlType } from '../storage/index.ts';
