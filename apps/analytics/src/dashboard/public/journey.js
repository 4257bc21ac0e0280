// The order journey view: one order's spans from every service as a waterfall, time waiting in a
// topic drawn apart from processing. Two panes, so a sync and an async order sit side by side.

const services = ['sales', 'inventory', 'reordering', 'analytics'];

/** The journey of an order from analytics' trace API, or null when none is kept. */
async function fetchJourney(orderId) {
  const response = await fetch(`/api/orders/${encodeURIComponent(orderId)}/trace`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`trace API answered ${response.status}`);
  return response.json();
}

/**
 * Rows to draw: each span, plus a "waiting in <topic>" row before each record's consumer, from the
 * end of the send that published it (the latest send to that topic before it started) to its start.
 */
export function journeyRows(journey) {
  const spans = journey.spans;
  const sends = spans.filter((span) => span.kind === 'producer');
  const rows = [];
  for (const span of spans) {
    const topic = span.attributes['messaging.destination.name'];
    const perRecord = span.attributes['messaging.kafka.offset'] !== undefined;
    if (span.kind === 'consumer' && perRecord && span.traceId === journey.traceId) {
      const send = sends
        .filter((s) =>
          String(s.attributes['messaging.destination.name']).split(',').includes(topic),
        )
        .filter((s) => s.startMs <= span.startMs)
        .at(-1);
      if (send) {
        const from = send.startMs + send.durationMs;
        rows.push({
          wait: true,
          topic,
          startMs: from,
          durationMs: Math.max(0, span.startMs - from),
        });
      }
    }
    rows.push({ wait: false, span, startMs: span.startMs, durationMs: span.durationMs });
  }
  return rows;
}

function rowElement(row, t0, total) {
  const li = document.createElement('li');
  li.className = row.wait ? 'journey-row wait' : `journey-row ${row.span.status}`;
  const label = document.createElement('span');
  label.className = 'journey-label';
  const bar = document.createElement('span');
  bar.className = 'journey-bar';
  bar.style.left = `${((row.startMs - t0) / total) * 100}%`;
  bar.style.width = `max(2px, ${(row.durationMs / total) * 100}%)`;
  if (row.wait) {
    li.dataset.kind = 'topic-wait';
    li.dataset.topic = row.topic;
    label.textContent = `waiting in ${row.topic}`;
  } else {
    const service = services.includes(row.span.service) ? row.span.service : 'other';
    li.dataset.service = row.span.service;
    li.dataset.kind = row.span.kind;
    bar.classList.add(`service-${service}`);
    label.textContent = `${row.span.service} · ${row.span.name}`;
    li.title = Object.entries(row.span.attributes)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n');
  }
  const ms = document.createElement('span');
  ms.className = 'journey-ms';
  ms.textContent = `${row.durationMs.toFixed(1)} ms`;
  const track = document.createElement('span');
  track.className = 'journey-track';
  track.append(bar);
  li.append(label, track, ms);
  return li;
}

/** Draws a journey into a pane (or says why not). */
export function showJourney(pane, orderId, journey) {
  const heading = pane.querySelector('h3');
  const list = pane.querySelector('ol');
  list.replaceChildren();
  pane.dataset.orderId = orderId;
  if (!journey) {
    heading.textContent = `order ${orderId}: no spans kept (unknown, too old, or not sampled)`;
    pane.dataset.state = 'missing';
    return;
  }
  const rows = journeyRows(journey);
  const t0 = Math.min(...rows.map((row) => row.startMs));
  const end = Math.max(...rows.map((row) => row.startMs + row.durationMs));
  const total = Math.max(end - t0, 0.001);
  const waited = rows.filter((row) => row.wait).reduce((sum, row) => sum + row.durationMs, 0);
  const mode = journey.spans.find((span) => span.attributes['retail.order.mode'])?.attributes[
    'retail.order.mode'
  ];
  heading.textContent = `${mode ?? ''} order ${orderId} · ${total.toFixed(1)} ms end to end · ${waited.toFixed(1)} ms waiting in topics`;
  pane.dataset.state = 'shown';
  for (const row of rows) list.append(rowElement(row, t0, total));
}

async function load(pane, orderId) {
  try {
    showJourney(pane, orderId, await fetchJourney(orderId));
  } catch (error) {
    pane.querySelector('h3').textContent = `order ${orderId}: ${error.message}`;
  }
}

/** Wires the search box and the "latest" buttons. */
export function setUpJourneys() {
  const [left, right] = document.querySelectorAll('.journey-pane');
  const input = document.getElementById('journey-order-id');
  document.getElementById('journey-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value.trim()) void load(left, input.value.trim());
  });
  document.getElementById('journey-latest').addEventListener('click', async () => {
    const { orders } = await (await fetch('/api/traces/latest')).json();
    const sync = orders.find((order) => order.mode === 'sync');
    const async_ = orders.find((order) => order.mode === 'async');
    await Promise.all([
      sync ? load(left, sync.orderId) : undefined,
      async_ ? load(right, async_.orderId) : undefined,
    ]);
  });
}
