import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestBroker } from './test-support/cli-harness.ts';
import type { TestBroker } from './test-support/cli-harness.ts';

/** A port nobody listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the streaming command', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startTestBroker();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it.each([
    ['streaming', []],
    ['topics', ['topics']],
    ['produce', ['produce']],
    ['consume', ['consume']],
    ['groups', ['groups']],
    ['connect', ['connect']],
    ['connect file-source', ['connect', 'file-source']],
    ['connect file-sink', ['connect', 'file-sink']],
  ] as [string, string[]][])(
    'prints help with examples for "%s" and exits 0',
    async (_name, command) => {
      const r = await runCli([...command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: streaming/);
      expect(r.stdout).toContain('Examples:');
      expect(r.stdout).toContain('$ streaming');
    },
  );

  it('exits 2 with a message on a usage error', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);

    const missing = await runCli(['produce']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/required option '-t, --topic <name>'/);

    const noAction = await runCli(['topics', '-b', broker.bootstrap]);
    expect(noAction.code).toBe(2);
    expect(noAction.stderr).toBe(
      'streaming: topics needs exactly one of --list, --create, --describe, --delete, --alter\n',
    );

    const badBootstrap = await runCli(['topics', '--list', '-b', 'no-port']);
    expect(badBootstrap.code).toBe(2);
    expect(badBootstrap.stderr).toContain('"no-port" is not host:port');
  });

  it('exits 1 with "cannot reach the broker" when nothing listens', async () => {
    const port = await closedPort();
    for (const command of [
      ['topics', '--list'],
      ['consume', '--topic', 'x'],
      ['groups', '--list'],
    ]) {
      const r = await runCli([...command, '--bootstrap-server', `127.0.0.1:${port}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`streaming: cannot reach the broker at 127.0.0.1:${port}\n`);
    }
  });

  it('takes the bootstrap server from STREAMING_BOOTSTRAP_SERVER', async () => {
    const r = await runCli(['topics', '--list'], {
      env: { STREAMING_BOOTSTRAP_SERVER: broker.bootstrap },
    });
    expect(r.code).toBe(0);
  });

  it('exits 1 naming the topic when it does not exist (producers and consumers: see produce-consume)', async () => {
    for (const command of [
      ['topics', '--describe', '--topic', 'no-such-topic'],
      ['topics', '--delete', '--topic', 'no-such-topic'],
    ]) {
      const r = await runCli([...command, '-b', broker.bootstrap], { input: 'x\n' });
      expect(r.code, command.join(' ')).toBe(1);
      expect(r.stderr).toBe('streaming: unknown topic no-such-topic\n');
    }
  });
});
