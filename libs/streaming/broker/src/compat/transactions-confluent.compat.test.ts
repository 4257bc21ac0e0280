// librdkafka's own transaction behaviour (python3-confluent-kafka 1.7 on librdkafka 2.0.2), driven
// by python/confluent_transactions.py: commit and abort as the two isolation levels see them,
// fencing of a second producer instance, and send_offsets_to_transaction in a read_committed
// consume-transform-produce loop.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithClient, detectConfluentKafka } from './client-availability.ts';
import { startIsolatedBroker } from './compat-fixture.ts';
import type { IsolatedBroker } from './compat-fixture.ts';
import { runPythonDriver } from './python-driver.ts';

const confluent = detectConfluentKafka();

describeWithClient(
  confluent,
  `transactions with python3-confluent-kafka (${confluent.version ?? ''})`,
  () => {
    let env: IsolatedBroker;
    beforeAll(async () => {
      env = await startIsolatedBroker('confluent-txn');
    });
    afterAll(async () => {
      await env?.close();
    });

    it('shows read_committed only the committed transactions, read_uncommitted everything', async () => {
      const res = await runPythonDriver<{ readCommitted: string[]; readUncommitted: string[] }>(
        'confluent_transactions.py',
        'commit-abort',
        { bootstrap: env.bootstrap, topic: 'rk-commit-abort', transactionalId: 'rk-tx-1' },
      );
      expect(res.readCommitted).toEqual(['c1', 'c2', 'c3', 'c4']);
      expect(res.readUncommitted).toEqual(['c1', 'c2', 'c3', 'a1', 'a2', 'c4']);
    }, 120_000);

    it('fences the first producer when a second one takes its transactional.id', async () => {
      const res = await runPythonDriver<{ zombieError: string | null; readCommitted: string[] }>(
        'confluent_transactions.py',
        'fence',
        { bootstrap: env.bootstrap, topic: 'rk-fence', transactionalId: 'rk-tx-fence' },
      );
      expect(res.zombieError).toMatch(/FENCED|INVALID_PRODUCER_EPOCH/);
      expect(res.readCommitted).toEqual(['fresh']);
    }, 120_000);

    it('commits consumed offsets with the output, and an abort commits neither', async () => {
      const seed = Array.from({ length: 10 }, (_, i) => `in-${i}`);
      const res = await runPythonDriver<{
        outcomes: Array<{ outcome: string; consumed: number }>;
        committedOffset: number;
        output: string[];
      }>('confluent_transactions.py', 'consume-transform-produce', {
        bootstrap: env.bootstrap,
        input: 'rk-ctp-in',
        output: 'rk-ctp-out',
        group: 'rk-ctp',
        transactionalId: 'rk-tx-ctp',
        seed,
        batchSize: 5,
      });
      expect(res.outcomes).toEqual([
        { outcome: 'commit', consumed: 5 },
        { outcome: 'abort', consumed: 5 },
      ]);
      expect(res.committedOffset).toBe(5);
      expect(res.output).toEqual(seed.slice(0, 5).map((v) => v.toUpperCase()));
    }, 120_000);
  },
);
