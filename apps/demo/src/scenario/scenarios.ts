import type { RunningStack } from '@retail-streams/demo-stack';

export interface ScenarioStep {
  /** Seconds after the load started. */
  atSeconds: number;
  label: string;
  run: (stack: RunningStack) => Promise<void>;
}

export interface Scenario {
  name: string;
  description: string;
  /** Orders per second outside any burst. */
  rate: number;
  durationSeconds: number;
  syncRatio: number;
  /** Overrides the rate for part of the run (seconds since the start → orders per second). */
  burst?: { fromSeconds: number; toSeconds: number; rate: number };
  steps: ScenarioStep[];
}

/** The sync path's timeout the scenarios run sales with: inventory-slow exceeds it on purpose. */
export const SCENARIO_SYNC_TIMEOUT_MS = 2000;

/**
 * The scripted scenarios. The whole stack (PostgreSQL, broker, four services and the load generator)
 * shares one 2-core machine; at 100 orders/s (500/s in the burst) `npm run scenario -- all` passed
 * there with both paths keeping up when nothing fails (see apps/demo/README.md); `--rate-scale`
 * scales them.
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'steady',
    description: 'A steady stream of orders, half on each path, nothing failing: the baseline.',
    rate: 100,
    durationSeconds: 30,
    syncRatio: 0.5,
    steps: [],
  },
  {
    name: 'inventory-outage',
    description:
      'Inventory is stopped for 15 s. The sync path fails (503) while it is down; the async path keeps accepting orders and settles them once inventory is back.',
    rate: 100,
    durationSeconds: 40,
    syncRatio: 0.5,
    steps: [
      { atSeconds: 10, label: 'stop inventory', run: (stack) => stack.stopProcess('inventory') },
      { atSeconds: 25, label: 'start inventory', run: (stack) => stack.startProcess('inventory') },
    ],
  },
  {
    name: 'inventory-slow',
    description: `Inventory answers ${SCENARIO_SYNC_TIMEOUT_MS + 1000} ms late for 15 s, beyond the sync path's ${SCENARIO_SYNC_TIMEOUT_MS} ms timeout: sync orders time out, async orders wait in the topic and catch up.`,
    rate: 100,
    durationSeconds: 40,
    syncRatio: 0.5,
    steps: [
      {
        atSeconds: 10,
        label: `inventory latency ${SCENARIO_SYNC_TIMEOUT_MS + 1000} ms`,
        run: (stack) => stack.setInventoryLatency(SCENARIO_SYNC_TIMEOUT_MS + 1000),
      },
      {
        atSeconds: 25,
        label: 'inventory latency 0 ms',
        run: (stack) => stack.setInventoryLatency(0),
      },
    ],
  },
  {
    name: 'burst',
    description:
      'Five seconds at five times the rate: the async path absorbs the burst as lag, the sync path queues on inventory.',
    rate: 100,
    durationSeconds: 30,
    syncRatio: 0.5,
    burst: { fromSeconds: 10, toSeconds: 15, rate: 500 },
    steps: [],
  },
  {
    name: 'broker-restart',
    description:
      'The broker is restarted mid-run. Sales keeps accepting async orders (the outbox holds them); every one is delivered once the broker is back.',
    rate: 100,
    durationSeconds: 40,
    syncRatio: 0.5,
    steps: [
      { atSeconds: 10, label: 'restart broker', run: (stack) => stack.restartProcess('broker') },
    ],
  },
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}
