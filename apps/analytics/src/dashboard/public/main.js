// Wires the live sources to the charts and panels. `window.dashboard` exposes counters for the
// browser tests (and for anyone curious in devtools).

import { createCharts } from './charts.js';
import { setUpControls } from './controls.js';
import { setUpJourneys } from './journey.js';
import { OrderRate, followSummaries, poll } from './live-data.js';
import {
  openPurchaseOrdersFromSummary,
  showBrokerAccess,
  showBrokerAccessError,
  showConnection,
  showConsumerGroups,
  showConsumerGroupsError,
  showOrderRate,
  showPurchaseOrders,
  showReplay,
  showSummaryText,
  visibleGroups,
} from './panels.js';

const charts = createCharts();
// Analytics commits in batches: a 10 s window keeps the line readable without hiding a change.
const rate = new OrderRate(10_000);
const state = {
  summaries: 0,
  groupSnapshots: 0,
  latestSummary: null,
  purchaseOrdersFromReordering: false,
};
window.dashboard = state;
setUpJourneys();

followSummaries({
  onStatus: showConnection,
  onSummary(summary) {
    state.summaries += 1;
    state.latestSummary = summary;
    rate.observe(summary);
    showSummaryText(summary, state.summaries);
    showReplay(summary.processing.replay);
    charts.showSummary(summary);
    if (!state.purchaseOrdersFromReordering) {
      showPurchaseOrders(openPurchaseOrdersFromSummary(summary), 'from the purchase-order events');
    }
  },
});

setInterval(() => {
  const sample = rate.sample();
  charts.addOrderRate(sample);
  showOrderRate(sample);
}, 1000);

poll('/api/dashboard/consumers', 2000, {
  onData(snapshot) {
    state.groupSnapshots += 1;
    const groups = visibleGroups(snapshot.groups, state.latestSummary?.processing.groupId);
    charts.addLag(groups);
    showConsumerGroups(groups);
  },
  onError: showConsumerGroupsError,
});

poll('/api/dashboard/access', 5000, {
  onData: showBrokerAccess,
  onError: showBrokerAccessError,
});

poll('/api/dashboard/purchase-orders', 3000, {
  onData(body) {
    state.purchaseOrdersFromReordering = true;
    showPurchaseOrders(body.purchaseOrders, 'from reordering');
  },
  onError() {
    state.purchaseOrdersFromReordering = false;
    if (state.latestSummary) {
      showPurchaseOrders(
        openPurchaseOrdersFromSummary(state.latestSummary),
        'reordering unreachable: from the purchase-order events',
      );
    }
  },
});

void setUpControls();
