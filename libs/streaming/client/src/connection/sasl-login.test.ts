import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type RunningBroker } from '@retail-streams/streaming-broker';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventProducer } from '../producer/event-producer.ts';
import { kafkajsSecurity, type ClientSecurity } from './client-security.ts';
import { TopicInspector } from './topic-inspector.ts';

const SASL_AUTHENTICATE = 36;
const PASSWORD = 'sales-secret';

/**
 * A TCP proxy in front of the broker's SASL listener that, while `cuts` is above zero, closes the
 * client's connection when the client sends a SaslAuthenticate request: the connection a broker
 * closes mid-login when it stops or restarts, made to happen on purpose.
 */
class LoginCutter {
  cuts = 0;
  cut = 0;
  target = 0;
  readonly #server = net.createServer((client) => this.#relay(client));
  readonly #sockets = new Set<net.Socket>();

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #relay(client: net.Socket): void {
    const upstream = net.connect(this.target, '127.0.0.1');
    this.#sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      // Whole request frames only: size (int32), then the header's api key (int16).
      while (pending.length >= 6 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(0, 4 + pending.readInt32BE(0));
        pending = pending.subarray(frame.length);
        if (frame.readInt16BE(4) === SASL_AUTHENTICATE && this.cuts > 0) {
          this.cuts -= 1;
          this.cut += 1;
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(frame);
      }
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}

describe('SASL logins a connection broke off', () => {
  let dir: string;
  let broker: RunningBroker;
  const proxy = new LoginCutter();
  let proxyPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sasl-login-'));
    proxyPort = await proxy.listen();
    broker = await startBroker({
      logDir: dir,
      listeners: [
        {
          name: 'SERVICES',
          host: '127.0.0.1',
          port: 0,
          securityProtocol: 'SASL_PLAINTEXT',
          // Clients come back through the proxy for every broker they learn from Metadata.
          advertisedPort: proxyPort,
          sasl: { enabledMechanisms: ['SCRAM-SHA-512'] },
        },
      ],
      scramUsers: [{ name: 'sales', mechanism: 'SCRAM-SHA-512', password: PASSWORD }],
    });
    proxy.target = broker.listeners.find((l) => l.name === 'SERVICES')!.port;
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'sasl-login', numPartitions: 1 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    await proxy.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    proxy.cuts = 0;
    proxy.cut = 0;
  });

  const kafka = (password = PASSWORD, retries = 3) => {
    const security: ClientSecurity = {
      protocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'sales', password },
    };
    return new Kafka({
      clientId: 'sales',
      brokers: [`127.0.0.1:${proxyPort}`],
      ...kafkajsSecurity(security),
      retry: { initialRetryTime: 50, retries, maxRetryTime: 200 },
      logLevel: logLevel.NOTHING,
    });
  };

  it('connects again when the connection closes mid-login, as after a broker restart', async () => {
    proxy.cuts = 1;
    const producer = kafka().producer();
    // kafkajs alone reports "SASL SCRAM SHA512 authentication failed: Closed connection", which is
    // non-retriable: connect() gave up at once.
    await producer.connect();
    await producer.disconnect();
    expect(proxy.cut).toBe(1);
  });

  it('still gives up at once on a login the broker refuses', async () => {
    const producer = kafka('wrong password').producer();
    await expect(producer.connect()).rejects.toMatchObject({
      name: 'KafkaJSSASLAuthenticationError',
      retriable: false,
    });
  });

  it('a producer and an inspector whose first connection failed connect on their next call', async () => {
    // Every login is cut until the first calls have failed: a broker away for longer than the
    // client's retries.
    const client = kafka(PASSWORD, 1);
    const producer = new EventProducer(client);
    const inspector = new TopicInspector(client, 'sales');
    try {
      proxy.cuts = 1_000;
      await expect(producer.sendRecords('sasl-login', [{ key: 'k', value: 'v' }])).rejects.toThrow(
        /login interrupted/,
      );
      await expect(inspector.endOffsets('sasl-login')).rejects.toThrow(/login interrupted/);
      expect(proxy.cut).toBeGreaterThanOrEqual(2);
      proxy.cuts = 0;

      const [sent] = await producer.sendRecords('sasl-login', [{ key: 'k', value: 'v' }]);
      expect(sent).toMatchObject({ topic: 'sasl-login', partition: 0 });
      expect((await inspector.endOffsets('sasl-login')).get(0)).toBe(
        String(BigInt(sent!.offset) + 1n),
      );
    } finally {
      await producer.disconnect();
      await inspector.close();
    }
  });
});
