// The load and fault controls. Every call goes to analytics' `/api/demo/...` proxy, which adds the
// orchestrator's token: the page never sees it. The routes below are the orchestrator's
// (apps/demo/src/control/control-server.ts); its errors read `{ error: { code, message } }`.

const value = (id) => document.getElementById(id).value;

/** data-control → the orchestrator call it makes. */
export const controlActions = {
  'load-start': () => ({
    path: 'load/start',
    body: { rate: Number(value('load-rate')), syncRatio: Number(value('load-sync-ratio')) },
    label: `start load at ${value('load-rate')}/s, ${Math.round(Number(value('load-sync-ratio')) * 100)} % sync`,
  }),
  'load-stop': () => ({ path: 'load/stop', body: {}, label: 'stop load' }),
  'inventory-stop': () => ({ path: 'processes/inventory/stop', body: {}, label: 'stop inventory' }),
  'inventory-start': () => ({
    path: 'processes/inventory/start',
    body: {},
    label: 'start inventory',
  }),
  'inventory-restart': () => ({
    path: 'processes/inventory/restart',
    body: {},
    label: 'restart inventory',
  }),
  'inventory-latency': () => ({
    path: 'inventory/latency',
    body: { ms: Number(value('inventory-latency')) },
    label: `inventory latency ${value('inventory-latency')} ms`,
  }),
  'broker-restart': () => ({ path: 'broker/restart', body: {}, label: 'restart broker' }),
  // The orchestrator passes these on to analytics with the token (replays are operator actions).
  'replay-start': () => ({ path: 'analytics/replay', body: {}, label: 'replay all topics' }),
  'replay-resume': () => {
    const replay = window.dashboard?.latestSummary?.processing.replay;
    return {
      path: `analytics/replay/${replay?.id ?? 'none'}/resume`,
      body: {},
      label: 'resume the replay',
    };
  },
};

export async function setUpControls() {
  const response = await fetch('/api/demo-control').catch(() => undefined);
  const enabled = response?.ok ? (await response.json()).enabled === true : false;
  const section = document.getElementById('controls');
  section.hidden = !enabled;
  if (!enabled) return;

  const ratio = document.getElementById('load-sync-ratio');
  const showRatio = () => {
    document.getElementById('load-sync-ratio-value').textContent =
      `${Math.round(Number(ratio.value) * 100)} %`;
  };
  ratio.addEventListener('input', showRatio);
  showRatio();

  for (const button of section.querySelectorAll('button[data-control]')) {
    button.addEventListener('click', async () => {
      const action = controlActions[button.dataset.control]();
      button.disabled = true;
      try {
        const answer = await fetch(`/api/demo/${action.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(action.body),
        });
        const body = await answer.json().catch(() => ({}));
        if (answer.ok) log(`${action.label}: done`);
        else
          log(`${action.label}: failed (${body.code ?? answer.status}) ${body.detail ?? ''}`, true);
      } catch (error) {
        log(`${action.label}: failed (${error.message})`, true);
      } finally {
        button.disabled = false;
        void refreshProcessStates();
      }
    });
  }
  void refreshProcessStates();
  setInterval(refreshProcessStates, 3000);
}

function log(message, failed = false) {
  const list = document.getElementById('control-log');
  const item = document.createElement('li');
  item.textContent = `${new Date().toTimeString().slice(0, 8)} ${message}`;
  if (failed) item.className = 'failed';
  list.prepend(item);
  while (list.children.length > 20) list.lastElementChild.remove();
}

/** Shows the orchestrator's process states (`GET status`), when it offers them. */
async function refreshProcessStates() {
  const container = document.getElementById('process-states');
  try {
    const answer = await fetch('/api/demo/status', { headers: { accept: 'application/json' } });
    if (!answer.ok) return;
    const status = await answer.json();
    const processes = Array.isArray(status.processes) ? status.processes : [];
    container.replaceChildren(
      ...processes.map((process) => {
        const pill = document.createElement('span');
        const up = process.state === 'running';
        pill.className = `pill ${up ? 'pill-live' : 'pill-bad'}`;
        pill.textContent = `${process.name}: ${process.state}`;
        return pill;
      }),
    );
    if (status.load) {
      const load = document.createElement('span');
      load.className = `pill ${status.load.running ? 'pill-live' : 'pill-wait'}`;
      const request = status.load.request;
      load.textContent =
        status.load.running && request
          ? `load: ${request.rate}/s, ${Math.round(request.syncRatio * 100)} % sync`
          : 'load: off';
      container.append(load);
    }
  } catch {
    // The orchestrator is optional here: the buttons still report their own failures.
  }
}
