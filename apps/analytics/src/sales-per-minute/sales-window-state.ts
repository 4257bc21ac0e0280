import { createHash } from 'node:crypto';
import { createEvent, decodeEvent, encodeEvent, topics } from '@retail-streams/contracts';
import type { StageOutput, StageRecord, StageState } from '@retail-streams/streaming-client';
import { z } from 'zod';
import { AnalyticsError } from '../analytics-error.ts';

export interface SalesWindowSettings {
  /** The tumbling window's length (one minute in production; shorter in tests). */
  windowMs: number;
  /** How long after a window's end its late reservations still count. */
  graceMs: number;
}

/** What the stage commits next to its offsets (see SalesWindowState). */
const checkpointSchema = z.object({
  v: z.literal(1),
  windowMs: z.number().int().positive(),
  graceMs: z.number().int().min(0),
  streamTime: z.number().int(),
  publishedThrough: z.number().int(),
  /** Per partition (as a string key): the next offset read before the commit, if it re-reads. */
  replay: z.record(z.string(), z.string().regex(/^\d+$/)),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

interface OpenWindow {
  /** Per SKU: units and reservations counted so far. */
  skus: Map<string, { quantity: number; orders: number }>;
  /** Per input partition: the offset of its first record counted in this window. */
  firstOffsets: Map<number, bigint>;
}

/**
 * Units sold per SKU in tumbling windows of StockReserved's event time (`occurredAt`).
 *
 * Stream time is the latest event time read. A window closes, and its records are published, when
 * stream time reaches its end plus the grace period. A reservation whose window is already published
 * is late and dropped: a published count is final (a correction would be a second record for the
 * same window and SKU).
 *
 * Only open windows are kept, so memory is bounded by (grace / window + 2) windows times the SKUs
 * sold in them. A crash loses them; they are rebuilt exactly from what every transaction commits:
 * - as each partition's input offset, the first record still counted in an open window (so a restart
 *   reads again every record of the unpublished windows, and none of a published one is needed);
 * - as the offsets' metadata, the stream time, up to where windows are published, and per partition
 *   the offset read up to (`replay`).
 * After a restart a re-read record counts if its window is unpublished, the same rule as the first
 * time. No window is published until every partition has been read again up to its `replay` offset:
 * otherwise a newer record on one partition could close a window before the older records of
 * another partition are counted in it again.
 */
export class SalesWindowState implements StageState {
  readonly #settings: SalesWindowSettings;
  #streamTime = Number.MIN_SAFE_INTEGER;
  /** Windows whose end plus grace is at or before this are published (or were empty). */
  #publishedThrough = Number.MIN_SAFE_INTEGER;
  readonly #windows = new Map<number, OpenWindow>();
  /** Per partition: the next offset to read, as far as this state has read. */
  readonly #next = new Map<number, bigint>();
  /** Per partition: the offset a rebuild must read up to before a window may be published. */
  readonly #replay = new Map<number, bigint>();

  constructor(settings: SalesWindowSettings, checkpoint: string | null) {
    this.#settings = settings;
    if (checkpoint === null) return;
    const restored = restore(settings, checkpoint);
    this.#streamTime = restored.streamTime;
    this.#publishedThrough = restored.publishedThrough;
    for (const [partition, next] of Object.entries(restored.replay))
      this.#replay.set(Number(partition), BigInt(next));
  }

  /** Windows not yet published: what a restart rebuilds. */
  get openWindows(): number {
    return this.#windows.size;
  }

  /** True while a rebuild has not yet read every partition up to where it was before the crash. */
  get rebuilding(): boolean {
    return this.#replay.size > 0;
  }

  apply(record: StageRecord): StageOutput[] {
    const offset = BigInt(record.offset);
    this.#next.set(record.partition, offset + 1n);
    const target = this.#replay.get(record.partition);
    if (target !== undefined && offset + 1n >= target) this.#replay.delete(record.partition);
    const event = reservedStock(record);
    if (event !== undefined) {
      const { windowMs, graceMs } = this.#settings;
      const time = Date.parse(event.occurredAt);
      const start = Math.floor(time / windowMs) * windowMs;
      if (start + windowMs + graceMs > this.#publishedThrough)
        this.#count(start, record, event.data.lines);
      this.#streamTime = Math.max(this.#streamTime, time);
    }
    return this.#replay.size > 0 ? [] : this.#closeWindows();
  }

  resumeOffset(partition: number, next: string): string {
    let first: bigint | undefined;
    for (const window of this.#windows.values()) {
      const offset = window.firstOffsets.get(partition);
      if (offset !== undefined && (first === undefined || offset < first)) first = offset;
    }
    return first === undefined ? next : String(first);
  }

  checkpoint(): string {
    const { windowMs, graceMs } = this.#settings;
    const replay: Record<string, string> = {};
    for (const [partition, target] of this.#replay) replay[partition] = String(target);
    for (const [partition, next] of this.#next) {
      const resume = BigInt(this.resumeOffset(partition, String(next)));
      const target = this.#replay.get(partition) ?? 0n;
      if (resume < next) replay[partition] = String(next > target ? next : target);
    }
    const checkpoint: Checkpoint = {
      v: 1,
      windowMs,
      graceMs,
      streamTime: this.#streamTime,
      publishedThrough: this.#publishedThrough,
      replay,
    };
    return JSON.stringify(checkpoint);
  }

  #count(start: number, record: StageRecord, lines: { sku: string; quantity: number }[]): void {
    let window = this.#windows.get(start);
    if (window === undefined) {
      window = { skus: new Map(), firstOffsets: new Map() };
      this.#windows.set(start, window);
    }
    if (!window.firstOffsets.has(record.partition))
      window.firstOffsets.set(record.partition, BigInt(record.offset));
    // An order may name a SKU on two lines: one reservation, the units of both.
    const perSku = new Map<string, number>();
    for (const line of lines) perSku.set(line.sku, (perSku.get(line.sku) ?? 0) + line.quantity);
    for (const [sku, quantity] of perSku) {
      const sold = window.skus.get(sku) ?? { quantity: 0, orders: 0 };
      window.skus.set(sku, { quantity: sold.quantity + quantity, orders: sold.orders + 1 });
    }
  }

  #closeWindows(): StageOutput[] {
    const { windowMs, graceMs } = this.#settings;
    this.#publishedThrough = this.#streamTime;
    const outputs: StageOutput[] = [];
    const closed = [...this.#windows.keys()]
      .filter((start) => start + windowMs + graceMs <= this.#publishedThrough)
      .sort((a, b) => a - b);
    for (const start of closed) {
      const window = this.#windows.get(start)!;
      this.#windows.delete(start);
      const skus = [...window.skus.keys()].sort();
      for (const sku of skus)
        outputs.push(salesRecord(sku, start, windowMs, window.skus.get(sku)!));
    }
    return outputs;
  }
}

function restore(settings: SalesWindowSettings, checkpoint: string): Checkpoint {
  let parsed: Checkpoint;
  try {
    parsed = checkpointSchema.parse(JSON.parse(checkpoint));
  } catch (error) {
    throw new AnalyticsError(
      'SALES_CHECKPOINT_INVALID',
      `the sales-per-minute stage's committed checkpoint is unreadable: ${checkpoint}`,
      { cause: error },
    );
  }
  if (parsed.windowMs !== settings.windowMs || parsed.graceMs !== settings.graceMs)
    throw new AnalyticsError(
      'SALES_CHECKPOINT_INVALID',
      `the sales-per-minute stage committed windows of ${parsed.windowMs} ms (grace ${parsed.graceMs} ms), ` +
        `not ${settings.windowMs} ms (grace ${settings.graceMs} ms): reset its group to change them`,
    );
  return parsed;
}

/**
 * The StockReserved event of a record, or undefined for anything else: rejections sold nothing, and
 * a record that is not a valid event is skipped (the main pipeline dead-letters it), the same way at
 * every read, so a rebuild skips it too.
 */
function reservedStock(record: StageRecord) {
  try {
    const event = decodeEvent(topics.reservationResult, record.value);
    return event.type === 'StockReserved' ? event : undefined;
  } catch {
    return undefined;
  }
}

function salesRecord(
  sku: string,
  start: number,
  windowMs: number,
  sold: { quantity: number; orders: number },
): StageOutput {
  const windowStart = new Date(start).toISOString();
  const event = createEvent(
    topics.salesPerMinute,
    'SalesPerMinuteCounted',
    {
      sku,
      windowStart,
      windowEnd: new Date(start + windowMs).toISOString(),
      quantity: sold.quantity,
      orders: sold.orders,
    },
    {
      source: 'analytics',
      correlationId: `${sku}@${windowStart}`,
      // The same window and SKU always get the same id: a duplicate would be visible as one.
      id: nameUuid(`${sku}@${windowStart}`),
      occurredAt: new Date(start + windowMs),
    },
  );
  return { topic: topics.salesPerMinute.name, key: sku, value: encodeEvent(event) };
}

/** A UUID (version 5 layout) named by `name`: deterministic, so replays name records alike. */
function nameUuid(name: string): string {
  const hash = createHash('sha1').update(`retail-streams.sales-per-minute:${name}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
