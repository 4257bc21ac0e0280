// The six charts (Chart.js, loaded as a classic script: `window.Chart`) and how each one takes data.

const { Chart } = window;

const colors = {
  async: '#3b6fd8',
  sync: '#e07b39',
  ok: '#1f9d55',
  bad: '#d64545',
  line: '#1d2330',
  series: ['#3b6fd8', '#e07b39', '#1f9d55', '#9b59b6', '#d64545', '#16a2b8', '#8c6d31', '#6b7385'],
};

const RATE_POINTS = 150; // 2.5 minutes at one sample per second
const LAG_POINTS = 150;
const REVENUE_MINUTES = 30;

// Live data replaces the datasets every second: animating each change only costs CPU.
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.size = 11;

const timeTicks = { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } };

const clock = (date) => date.toTimeString().slice(0, 8);
const minuteLabel = (iso) => new Date(iso).toTimeString().slice(0, 5);

export function createCharts() {
  const ordersRate = new Chart(document.getElementById('chart-orders-rate'), {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        {
          label: 'async',
          data: [],
          borderColor: colors.async,
          backgroundColor: colors.async,
          pointRadius: 0,
          tension: 0.25,
        },
        {
          label: 'sync',
          data: [],
          borderColor: colors.sync,
          backgroundColor: colors.sync,
          pointRadius: 0,
          tension: 0.25,
        },
      ],
    },
    options: {
      scales: {
        x: timeTicks,
        y: { beginAtZero: true, title: { display: true, text: 'orders/s' } },
      },
    },
  });

  const latency = new Chart(document.getElementById('chart-latency'), {
    type: 'bar',
    data: {
      labels: ['p50', 'p95', 'p99', 'mean', 'max'],
      datasets: [
        { label: 'async', data: [], backgroundColor: colors.async },
        { label: 'sync', data: [], backgroundColor: colors.sync },
      ],
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } },
  });

  const errors = new Chart(document.getElementById('chart-errors'), {
    type: 'bar',
    data: { labels: [], datasets: [{ label: 'error rate %', data: [], backgroundColor: [] }] },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, suggestedMax: 10, title: { display: true, text: '%' } } },
    },
  });

  const revenue = new Chart(document.getElementById('chart-revenue'), {
    type: 'bar',
    data: {
      labels: [],
      datasets: [{ label: 'revenue (confirmed orders)', data: [], backgroundColor: colors.ok }],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });

  const lag = new Chart(document.getElementById('chart-lag'), {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      scales: { x: timeTicks, y: { beginAtZero: true, title: { display: true, text: 'records' } } },
    },
  });

  const stock = new Chart(document.getElementById('chart-stock'), {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { type: 'bar', label: 'available', data: [], backgroundColor: [], order: 2 },
        {
          type: 'line',
          label: 'reorder point',
          data: [],
          // One dash across each bar: the level that triggers a purchase order for that SKU.
          showLine: false,
          pointStyle: 'line',
          pointRadius: 16,
          pointHoverRadius: 16,
          borderWidth: 3,
          borderColor: colors.line,
          backgroundColor: colors.line,
          order: 1,
        },
      ],
    },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'units' } } } },
  });

  return {
    /** One sample per second: the current orders/s by path. */
    addOrderRate(rate, at = new Date()) {
      pushPoint(ordersRate, clock(at), [round(rate.async, 1), round(rate.sync, 1)], RATE_POINTS);
      ordersRate.update();
    },

    showSummary(summary) {
      const paths = ['async', 'sync'];
      latency.data.datasets.forEach((dataset, index) => {
        const stats = summary.latency[paths[index]];
        dataset.label = `${paths[index]} (n=${stats.count})`;
        dataset.data = [stats.p50, stats.p95, stats.p99, stats.mean, stats.max];
      });
      latency.update();

      const rows = errorRates(summary);
      errors.data.labels = rows.map((row) => row.label);
      errors.data.datasets[0].data = rows.map((row) => round(row.percent, 2));
      errors.data.datasets[0].backgroundColor = rows.map((row) =>
        row.percent > 0 ? colors.bad : colors.ok,
      );
      errors.update();

      const minutes = summary.perMinute.slice(-REVENUE_MINUTES);
      revenue.data.labels = minutes.map((minute) => minuteLabel(minute.windowStart));
      revenue.data.datasets[0].data = minutes.map((minute) => minute.revenue);
      revenue.update();

      const skus = summary.stock.filter((row) => row.available !== null);
      stock.data.labels = skus.map((row) => row.sku.replace(/^SKU-/, ''));
      stock.data.datasets[0].data = skus.map((row) => row.available);
      stock.data.datasets[0].backgroundColor = skus.map((row) =>
        row.belowReorderPoint ? colors.bad : colors.async,
      );
      stock.data.datasets[1].data = skus.map((row) => row.reorderPoint);
      stock.update();
    },

    /** One sample per consumer groups snapshot: the total lag of each group shown. */
    addLag(groups, at = new Date()) {
      const label = clock(at);
      lag.data.labels.push(label);
      for (const group of groups) {
        let dataset = lag.data.datasets.find((entry) => entry.label === group.groupId);
        if (dataset === undefined) {
          const color = colors.series[lag.data.datasets.length % colors.series.length];
          // A group that appears later has no history: pad it so the points line up in time.
          dataset = {
            label: group.groupId,
            data: new Array(lag.data.labels.length - 1).fill(null),
            borderColor: color,
            backgroundColor: color,
            pointRadius: 0,
            tension: 0.2,
          };
          lag.data.datasets.push(dataset);
        }
        dataset.data.push(group.totalLag);
      }
      for (const dataset of lag.data.datasets) {
        if (dataset.data.length < lag.data.labels.length) dataset.data.push(null);
      }
      if (lag.data.labels.length > LAG_POINTS) {
        lag.data.labels.shift();
        for (const dataset of lag.data.datasets) dataset.data.shift();
      }
      lag.update();
    },
  };
}

/**
 * Orders rejected per path (since the aggregates began) and, from the access logs, HTTP 5xx per
 * service over the last five minutes: a sync-path outage shows as sales answering 5xx, the async
 * path as rejections once inventory catches up.
 */
export function errorRates(summary) {
  const rows = [];
  for (const path of ['async', 'sync']) {
    const { confirmed, rejected } = summary.outcomes[path];
    const total = confirmed + rejected;
    rows.push({
      label: `${path} orders rejected`,
      percent: total === 0 ? 0 : (100 * rejected) / total,
    });
  }
  const latestMinute = summary.requests.reduce(
    (latest, row) => (row.windowStart > latest ? row.windowStart : latest),
    '',
  );
  const since = latestMinute === '' ? 0 : Date.parse(latestMinute) - 4 * 60_000;
  const byService = new Map();
  for (const row of summary.requests) {
    if (Date.parse(row.windowStart) < since) continue;
    const totals = byService.get(row.service) ?? { requests: 0, serverErrors: 0 };
    totals.requests += row.requests;
    totals.serverErrors += row.serverErrors;
    byService.set(row.service, totals);
  }
  for (const [service, totals] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    rows.push({
      label: `${service} HTTP 5xx`,
      percent: totals.requests === 0 ? 0 : (100 * totals.serverErrors) / totals.requests,
    });
  }
  return rows;
}

function pushPoint(chart, label, values, max) {
  chart.data.labels.push(label);
  chart.data.datasets.forEach((dataset, index) => dataset.data.push(values[index]));
  if (chart.data.labels.length > max) {
    chart.data.labels.shift();
    for (const dataset of chart.data.datasets) dataset.data.shift();
  }
}

const round = (value, digits) =>
  value === null || value === undefined ? null : Math.round(value * 10 ** digits) / 10 ** digits;
