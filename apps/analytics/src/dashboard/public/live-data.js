// Where the page's data comes from: the summary stream (SSE) and two polled endpoints. No framework:
// callbacks in, plain objects out.

/**
 * Follows `GET /api/stream`. EventSource reconnects by itself (the server sends `retry: 2000`), so a
 * restarted analytics or a broken proxy only shows as "reconnecting" for a moment.
 */
export function followSummaries({ onSummary, onStatus }) {
  const source = new EventSource('/api/stream');
  source.addEventListener('summary', (event) => onSummary(JSON.parse(event.data)));
  source.addEventListener('open', () => onStatus('live'));
  source.addEventListener('error', () =>
    onStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'),
  );
  return () => source.close();
}

/** Calls `onData` with the JSON of `url` every `intervalMs` (never two requests at once). */
export function poll(url, intervalMs, { onData, onError }) {
  let stopped = false;
  const round = async () => {
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' } });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(body.detail ?? `${url} answered ${response.status}`);
      onData(body);
    } catch (error) {
      onError?.(error);
    }
    if (!stopped) setTimeout(round, intervalMs);
  };
  void round();
  return () => {
    stopped = true;
  };
}

/**
 * Orders per second, by path, from successive summaries. The summary counts orders per one-minute
 * window (event time); what grew since the previous summary is what arrived in between, so a sliding
 * sum of those growths over the last few seconds is the current rate. A new consumer group (a replay
 * rebuilding the aggregates) starts a new baseline instead of showing its history as one huge spike.
 */
export class OrderRate {
  #windowMs;
  #previous = null;
  #groupId = null;
  #startedAt = null;
  #arrivals = [];

  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  observe(summary, now = Date.now()) {
    const current = new Map(
      summary.perMinute.map((minute) => [
        minute.windowStart,
        { async: minute.asyncOrders, sync: minute.syncOrders },
      ]),
    );
    if (this.#previous !== null && summary.processing.groupId === this.#groupId) {
      let async = 0;
      let sync = 0;
      for (const [windowStart, counts] of current) {
        const before = this.#previous.get(windowStart);
        async += Math.max(0, counts.async - (before?.async ?? 0));
        sync += Math.max(0, counts.sync - (before?.sync ?? 0));
      }
      if (async + sync > 0) this.#arrivals.push({ at: now, async, sync });
    } else {
      this.#startedAt = now;
      this.#arrivals = [];
    }
    this.#previous = current;
    this.#groupId = summary.processing.groupId;
  }

  /** The rate over the last window (or since the first summary, when that is shorter). */
  sample(now = Date.now()) {
    this.#arrivals = this.#arrivals.filter((arrival) => arrival.at > now - this.#windowMs);
    if (this.#startedAt === null) return { async: 0, sync: 0 };
    const seconds = Math.max(1000, Math.min(this.#windowMs, now - this.#startedAt)) / 1000;
    const total = (key) => this.#arrivals.reduce((sum, arrival) => sum + arrival[key], 0);
    return { async: total('async') / seconds, sync: total('sync') / seconds };
  }
}
