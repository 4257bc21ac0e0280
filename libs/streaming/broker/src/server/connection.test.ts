import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Connection } from './connection.ts';
import type { Dispatch } from './connection.ts';

/** A size-prefixed frame whose body is `text`. */
function frame(text: string): Buffer {
  const bodyBytes = Buffer.from(text);
  const size = Buffer.alloc(4);
  size.writeInt32BE(bodyBytes.length);
  return Buffer.concat([size, bodyBytes]);
}

interface Harness {
  client: net.Socket;
  /** Resolves once the server side has read `bytes` bytes (after the Connection saw them). */
  received(bytes: number): Promise<void>;
  /** Every frame body the client got back, in order. */
  answers: string[];
  clientClosed: Promise<void>;
}

const servers: net.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A real socket pair with a Connection on the server end, dispatching through `dispatch`. */
async function harness(dispatch: Dispatch): Promise<Harness> {
  let serverBytes = 0;
  const waiters: { bytes: number; resolve: () => void }[] = [];
  const server = net.createServer((socket) => {
    new Connection({
      id: 1,
      socket,
      maxFrameBytes: 1024,
      dispatch,
      logger: pino({ level: 'silent' }),
      onClosed: () => undefined,
      listener: { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', sasl: null },
      transportPrincipal: 'User:ANONYMOUS',
      authenticationTimeoutMs: null,
    });
    // Registered after the Connection's own listener, so it runs after the Connection saw the bytes.
    socket.on('data', (d: Buffer) => {
      serverBytes += d.length;
      for (const w of waiters) if (serverBytes >= w.bytes) w.resolve();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((r) => client.once('connect', r));
  const answers: string[] = [];
  let buffered = Buffer.alloc(0);
  client.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const size = buffered.readInt32BE(0);
      answers.push(buffered.subarray(4, 4 + size).toString());
      buffered = buffered.subarray(4 + size);
    }
  });
  client.on('error', () => undefined);
  const clientClosed = new Promise<void>((r) => client.on('close', () => r()));
  return {
    client,
    answers,
    clientClosed,
    received: (bytes) =>
      new Promise((resolve) => {
        if (serverBytes >= bytes) resolve();
        else waiters.push({ bytes, resolve });
      }),
  };
}

/** A promise with its resolve/reject handles. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Connection', () => {
  it('holds a deferred request and everything after it until its codecs load, then runs them in order', async () => {
    const codecs = deferred();
    let loaded = false;
    const dispatched: string[] = [];
    const h = await harness((f) => {
      const text = f.toString();
      dispatched.push(text);
      if (text === 'needs-codecs' && !loaded) return { kind: 'defer', until: codecs.promise };
      return { kind: 'respond', response: [frame(`re:${text}`)] };
    });

    // One write, one segment on loopback: all three frames reach the Connection together.
    const first = Buffer.concat([frame('ready'), frame('needs-codecs'), frame('after')]);
    h.client.write(first);
    await h.received(first.length);
    // Nothing behind the deferred request was handled while its codecs were loading.
    expect(dispatched).toEqual(['ready', 'needs-codecs']);

    loaded = true;
    codecs.resolve();
    while (h.answers.length < 3) await new Promise((r) => setImmediate(r));
    expect(dispatched).toEqual(['ready', 'needs-codecs', 'needs-codecs', 'after']);
    expect(h.answers).toEqual(['re:ready', 're:needs-codecs', 're:after']);

    // Reading resumed (the socket is paused while a request waits): later requests flow as usual.
    h.client.write(frame('later'));
    while (h.answers.length < 4) await new Promise((r) => setImmediate(r));
    expect(h.answers[3]).toBe('re:later');
    h.client.destroy();
  });

  it('drops the connection when the codecs fail to load', async () => {
    const codecs = deferred();
    const h = await harness(() => ({ kind: 'defer', until: codecs.promise }));
    h.client.write(frame('x'));
    await h.received(5);
    codecs.reject(new Error('cannot import'));
    await h.clientClosed;
    expect(h.answers).toEqual([]);
  });
});
