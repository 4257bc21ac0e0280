import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ListenerContext } from '../api/types.ts';
import { FrameDecoder } from './frame-decoder.ts';
import type { ConnectionInfo, DispatchResult, ResponseFrame } from './request-dispatcher.ts';

export type Dispatch = (frame: Buffer, conn: ConnectionInfo) => DispatchResult;

/** A response slot: filled when the handler finishes; written only once every earlier slot is. */
interface Slot {
  done: boolean;
  frame: ResponseFrame | null;
}

/**
 * Stop reading from a client with this many unanswered requests (e.g. many parked fetches, or a
 * pipelining producer outrunning the disk), until the backlog drains.
 */
const MAX_IN_FLIGHT = 512;

/**
 * One client connection. Requests are dispatched as they arrive (so a long-polling Fetch does not delay
 * the *processing* of what follows) but responses are written strictly in request order, which is what
 * the Kafka protocol promises and what pipelining clients such as kafka-python rely on.
 */
export class Connection {
  readonly id: number;
  readonly remote: string;
  private readonly socket: Socket;
  private readonly decoder: FrameDecoder;
  private readonly dispatch: Dispatch;
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private readonly queue: Slot[] = [];
  private readonly info: ConnectionInfo;
  /** Frames received but not dispatched yet (only ever non-empty while `deferred`). */
  private pending: Buffer[] = [];
  private deferred = false;
  private closed = false;
  private writeBlocked = false;
  /** Set by closeAfterResponse: why the connection ends once its queue is written. */
  private ending: string | null = null;
  private authTimer: NodeJS.Timeout | null = null;
  private readonly onClosed: (conn: Connection) => void;

  constructor(opts: {
    id: number;
    socket: Socket;
    maxFrameBytes: number;
    dispatch: Dispatch;
    logger: Logger;
    onClosed: (conn: Connection) => void;
    listener: ListenerContext;
    /** User:ANONYMOUS, or the TLS client certificate's principal. */
    transportPrincipal: string;
    /** Close the connection unless it authenticates within this many ms (null: no deadline). */
    authenticationTimeoutMs: number | null;
  }) {
    this.id = opts.id;
    this.socket = opts.socket;
    this.remote = `${opts.socket.remoteAddress ?? '?'}:${opts.socket.remotePort ?? '?'}`;
    this.decoder = new FrameDecoder(opts.maxFrameBytes);
    this.dispatch = opts.dispatch;
    this.logger = opts.logger;
    this.onClosed = opts.onClosed;
    // One object for the connection's whole life: handlers key per-connection state by it.
    this.info = {
      id: this.id,
      remote: this.remote,
      clientHost: `/${opts.socket.remoteAddress ?? '?'}`,
      signal: this.abort.signal,
      listener: opts.listener,
      transportPrincipal: opts.transportPrincipal,
      closeAfterResponse: (reason) => this.closeAfterResponse(reason),
      authenticationDone: () => this.clearAuthTimer(),
    };
    if (opts.authenticationTimeoutMs !== null) {
      const ms = opts.authenticationTimeoutMs;
      this.authTimer = setTimeout(() => {
        this.authTimer = null;
        this.logger.warn(
          { conn: this.id, remote: this.remote, listener: opts.listener.name, timeoutMs: ms },
          'closing connection: no authentication within the deadline',
        );
        this.destroy();
      }, ms);
    }

    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => {
      this.writeBlocked = false;
      this.updateFlowControl();
    });
    this.socket.on('error', (err) => {
      this.logger.debug(
        { conn: this.id, remote: this.remote, err: err.message },
        'connection error',
      );
    });
    this.socket.on('close', () => this.handleClosed());
  }

  /** Ends the connection now; pending requests are released through the abort signal. */
  destroy(): void {
    if (this.closed) return;
    this.socket.destroy();
    this.handleClosed();
  }

  /**
   * Writes what is queued (the current request's response included), reads nothing more, then
   * ends the socket gracefully (TLS close_notify, TCP FIN), destroying it if the peer lingers.
   */
  private closeAfterResponse(reason: string): void {
    if (this.closed || this.ending !== null) return;
    this.ending = reason;
    this.pending = [];
    this.updateFlowControl();
  }

  private clearAuthTimer(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.ending !== null) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.logger.warn(
        { conn: this.id, remote: this.remote, err: (err as Error).message },
        'closing connection: bad frame',
      );
      this.destroy();
      return;
    }
    if (this.pending.length === 0) this.pending = frames;
    else for (const frame of frames) this.pending.push(frame);
    this.dispatchPending();
  }

  /**
   * Dispatches the waiting frames in order. A `defer` verdict (the API's codecs are still loading)
   * holds that frame and every later one until the load settles: handlers must run in request
   * order, not just answer in it (a pipelining idempotent producer depends on it).
   */
  private dispatchPending(): void {
    let i = 0;
    for (; i < this.pending.length && !this.deferred; i++) {
      if (this.closed) return;
      if (this.ending !== null) break;
      const frame = this.pending[i];
      let result: DispatchResult;
      try {
        result = this.dispatch(frame, this.info);
      } catch (err) {
        result = { kind: 'close', reason: `dispatch failed: ${(err as Error).message}` };
      }
      if (result.kind === 'defer') {
        this.deferred = true;
        result.until.then(
          () => {
            this.deferred = false;
            this.updateFlowControl();
            this.dispatchPending();
          },
          (err: unknown) => {
            this.logger.warn(
              { conn: this.id, remote: this.remote, err: (err as Error)?.message },
              'closing connection: request codecs failed to load',
            );
            this.destroy();
          },
        );
        break;
      }
      if (result.kind === 'close') {
        this.logger.warn(
          { conn: this.id, remote: this.remote, reason: result.reason },
          'closing connection',
        );
        this.destroy();
        return;
      }
      const slot: Slot = { done: false, frame: null };
      this.queue.push(slot);
      const response = result.response;
      if (response instanceof Promise) {
        response.then(
          (frameOut) => {
            slot.frame = frameOut;
            slot.done = true;
            this.flush();
          },
          (err: unknown) => {
            this.logger.warn(
              { conn: this.id, remote: this.remote, err: (err as Error).message },
              'closing connection: request failed',
            );
            this.destroy();
          },
        );
      } else {
        slot.frame = response;
        slot.done = true;
      }
    }
    if (this.closed) return;
    this.pending = i === this.pending.length || this.ending !== null ? [] : this.pending.slice(i);
    this.flush();
  }

  /** Writes every finished response at the head of the queue, stopping at the first unfinished one. */
  private flush(): void {
    if (this.closed) return;
    let written = 0;
    // Corked: every chunk of every ready response leaves in one writev.
    this.socket.cork();
    while (written < this.queue.length && this.queue[written].done) {
      const frame = this.queue[written].frame;
      written++;
      if (frame === null) continue;
      for (const chunk of frame) if (!this.socket.write(chunk)) this.writeBlocked = true;
    }
    this.socket.uncork();
    if (written > 0) this.queue.splice(0, written);
    if (this.ending !== null && this.queue.length === 0) {
      if (!this.socket.writableEnded) {
        this.logger.debug(
          { conn: this.id, remote: this.remote, reason: this.ending },
          'closing connection after the response',
        );
        this.socket.end();
        setTimeout(() => this.destroy(), 1_000).unref();
      }
      return;
    }
    this.updateFlowControl();
  }

  private updateFlowControl(): void {
    if (this.closed) return;
    const shouldPause =
      this.writeBlocked ||
      this.deferred ||
      this.ending !== null ||
      this.queue.length >= MAX_IN_FLIGHT;
    if (shouldPause && !this.socket.isPaused()) this.socket.pause();
    else if (!shouldPause && this.socket.isPaused()) this.socket.resume();
  }

  private handleClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.clearAuthTimer();
    this.queue.length = 0;
    this.pending = [];
    this.abort.abort();
    this.onClosed(this);
  }
}
