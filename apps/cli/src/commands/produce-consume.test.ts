import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli, startTestBroker } from '../test-support/cli-harness.ts';
import type { TestBroker } from '../test-support/cli-harness.ts';

describe('streaming produce and consume', () => {
  let broker: TestBroker;
  const cli = (args: string[], input?: string) =>
    runCli([...args, '--bootstrap-server', broker.bootstrap], { input });
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('publishes one record per line and reports what was acknowledged', async () => {
    await cli(['topics', '--create', '--topic', 'test', '--partitions', '2']);
    const produced = await cli(
      ['produce', '--topic', 'test', '--partition', '1'],
      'This is a test message\nBig Data School\nTest\n',
    );
    expect(produced.code).toBe(0);
    expect(produced.stderr).toBe('acknowledged 3 records to test: partition 1 offsets 0-2 (3)\n');

    const consumed = await cli([
      'consume',
      '--topic',
      'test',
      '--from-beginning',
      '--max-messages',
      '3',
    ]);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout).toBe('This is a test message\nBig Data School\nTest\n');
    expect(consumed.stderr).toBe('consumed 3 records\n');
  });

  it('splits keys, adds headers, and prints them in every format', async () => {
    await cli(['topics', '--create', '--topic', 'stock', '--partitions', '1']);
    const produced = await cli(
      [
        'produce',
        '--topic',
        'stock',
        '--key-separator',
        ':',
        '--header',
        'source=lab',
        '--header',
        'v=2',
      ],
      'sku-1:5\nsku-2:7\nno-key\n',
    );
    expect(produced.stderr).toBe('acknowledged 3 records to stock: partition 0 offsets 0-2 (3)\n');

    const kv = await cli([
      'consume',
      '-t',
      'stock',
      '--from-beginning',
      '-e',
      '--format',
      'kv',
      '-K',
      '=',
    ]);
    expect(kv.stdout).toBe('sku-1=5\nsku-2=7\nnull=no-key\n');

    const json = await cli([
      'consume',
      '-t',
      'stock',
      '--from-beginning',
      '-e',
      '--format',
      'json',
    ]);
    const records = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map(({ timestamp: _t, ...rest }) => rest)).toEqual([
      {
        topic: 'stock',
        partition: 0,
        offset: 0,
        key: 'sku-1',
        headers: { source: 'lab', v: '2' },
        value: '5',
      },
      {
        topic: 'stock',
        partition: 0,
        offset: 1,
        key: 'sku-2',
        headers: { source: 'lab', v: '2' },
        value: '7',
      },
      {
        topic: 'stock',
        partition: 0,
        offset: 2,
        key: null,
        headers: { source: 'lab', v: '2' },
        value: 'no-key',
      },
    ]);
    expect(records.every((r) => typeof r.timestamp === 'number' && r.timestamp > 0)).toBe(true);

    const full = await cli([
      'consume',
      '-t',
      'stock',
      '--offset',
      '1',
      '-n',
      '1',
      '--format',
      'full',
    ]);
    expect(full.stdout).toMatch(
      /^Partition:0\tOffset:1\tCreateTime:\d+\tKey:sku-2\tHeaders:source=lab,v=2\tValue:7\n$/,
    );
  });

  it('reads one partition from an offset, or the last N records', async () => {
    await cli(['topics', '--create', '--topic', 'numbers', '--partitions', '3']);
    for (const p of [0, 1, 2]) {
      await cli(['produce', '-t', 'numbers', '-p', String(p)], `${p}-a\n${p}-b\n${p}-c\n${p}-d\n`);
    }
    const fromOffset = await cli([
      'consume',
      '-t',
      'numbers',
      '--partition',
      '2',
      '--offset',
      '1',
      '-e',
    ]);
    expect(fromOffset.stdout).toBe('2-b\n2-c\n2-d\n');
    const lastTwo = await cli([
      'consume',
      '-t',
      'numbers',
      '--partition',
      '0',
      '--offset',
      '-2',
      '-e',
    ]);
    expect(lastTwo.stdout).toBe('0-c\n0-d\n');
    const all = await cli(['consume', '-t', 'numbers', '--from-beginning', '--exit-at-end']);
    expect(all.stdout.trim().split('\n').sort()).toEqual(
      ['0', '1', '2'].flatMap((p) => ['a', 'b', 'c', 'd'].map((s) => `${p}-${s}`)),
    );
    // Without --from-beginning a new reader starts at the end: nothing to print.
    const latest = await cli(['consume', '-t', 'numbers', '--exit-at-end']);
    expect(latest.stdout).toBe('');
  });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'])(
    'produces and reads back %s-compressed batches',
    async (codec) => {
      const topic = `compressed-${codec}`;
      await cli(['topics', '--create', '--topic', topic, '--partitions', '1']);
      const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
      const produced = await cli(
        ['produce', '-t', topic, '--compression', codec],
        `${lines.join('\n')}\n`,
      );
      expect(produced.code).toBe(0);
      expect(produced.stderr).toBe(
        `acknowledged 200 records to ${topic}: partition 0 offsets 0-199 (200)\n`,
      );
      const consumed = await cli(['consume', '-t', topic, '--from-beginning', '-e']);
      expect(consumed.stdout).toBe(`${lines.join('\n')}\n`);
    },
  );

  it('sends interactive lines as they are typed and exits 0 on Ctrl-C while consuming', async () => {
    await cli(['topics', '--create', '--topic', 'live', '--partitions', '1']);
    const consumer = spawnCli(['consume', '-t', 'live', '-b', broker.bootstrap]);
    const producer = spawnCli(['produce', '-t', 'live', '-b', broker.bootstrap]);
    // The consumer starts at the end; it is ready once it joined its private group. Lines typed
    // before that would be skipped, so keep typing until one arrives.
    let n = 0;
    const typing = setInterval(() => producer.write(`typed ${n++}\n`), 100);
    await consumer.waitFor(/typed \d+\n/, 'stdout');
    clearInterval(typing);
    producer.end();
    const p = await producer.exit;
    expect(p.code).toBe(0);
    expect(p.stderr).toMatch(
      new RegExp(
        `^acknowledged ${n} records to live: partition 0 offsets 0-${n - 1} \\(${n}\\)\\n$`,
      ),
    );
    consumer.kill('SIGINT');
    const c = await consumer.exit;
    expect(c.code).toBe(0);
    expect(c.stderr).toMatch(/^consumed \d+ records?\n$/);
  });

  it("prints records as Kafka's console consumer does with --property", async () => {
    await cli(['produce', '-t', 'formatted', '-K', ':', '-H', 'source=lab'], 'sku-1:5\nno-key\n');
    const r = await cli([
      'consume',
      '-t',
      'formatted',
      '--from-beginning',
      '-e',
      '--property',
      'print.key=true',
      '--property',
      'print.partition=true',
      '--property',
      'print.headers=true',
      '--property',
      'key.separator= | ',
    ]);
    expect(r.stdout).toBe(
      'Partition:0 | source:lab | sku-1 | 5\nPartition:0 | source:lab | null | no-key\n',
    );
    const misspelt = await cli(['consume', '-t', 'formatted', '--property', 'print.kye=true']);
    expect(misspelt.code).toBe(2);
    expect(misspelt.stderr).toMatch(/--property print.kye: not a formatter property; known: print/);
  });

  describe('topics that do not exist yet', () => {
    it('are created by the producer, where the broker allows it (auto.create.topics.enable)', async () => {
      const produced = await cli(['produce', '--topic', 'fresh'], 'one\ntwo\n');
      expect(produced.code).toBe(0);
      expect(produced.stderr).toBe(
        'created topic fresh (it did not exist; auto.create.topics.enable)\n' +
          'acknowledged 2 records to fresh: partition 0 offsets 0-1 (2)\n',
      );
      const again = await cli(['produce', '--topic', 'fresh'], 'three\n');
      expect(again.stderr).toBe('acknowledged 1 record to fresh: partition 0 offset 2 (1)\n');
    });

    it('are waited for by the consumer, which says so and then reads them', async () => {
      const consumer = spawnCli([
        'consume',
        '--topic',
        'later',
        '--from-beginning',
        '-b',
        broker.bootstrap,
      ]);
      await consumer.waitFor(/waiting for topic later to be created \(it does not exist yet\)\n/);
      expect((await cli(['produce', '--topic', 'later'], 'hello\n')).code).toBe(0);
      await consumer.waitFor(/^hello\n$/, 'stdout');
      consumer.kill('SIGINT');
      const done = await consumer.exit;
      expect(done.code).toBe(0);
      expect(done.stderr).toBe(
        'waiting for topic later to be created (it does not exist yet)\nconsumed 1 record\n',
      );
    });

    it('have nothing to read for --exit-at-end, and a --timeout-ms ends the wait', async () => {
      const atEnd = await cli(['consume', '--topic', 'never', '--exit-at-end']);
      expect(atEnd).toMatchObject({
        code: 0,
        stdout: '',
        stderr: 'topic never does not exist: nothing to read\nconsumed 0 records\n',
      });
      const timedOut = await cli(['consume', '--topic', 'never', '--timeout-ms', '300']);
      expect(timedOut.code).toBe(0);
      expect(timedOut.stderr).toMatch(/waiting for topic never.*\nconsumed 0 records\n$/);
    });

    it('stay an error where the broker does not create topics, saying how to create one', async () => {
      const strict = await startTestBroker({ autoCreateTopics: false });
      try {
        const produced = await runCli(['produce', '--topic', 'absent', '-b', strict.bootstrap], {
          input: 'x\n',
        });
        expect(produced.code).toBe(1);
        expect(produced.stderr).toBe(
          'streaming: unknown topic absent, and the broker does not create topics on first use ' +
            '(auto.create.topics.enable=false): create it first with kafka-topics --create --topic absent\n',
        );
      } finally {
        await strict.close();
      }
    });
  });
});
