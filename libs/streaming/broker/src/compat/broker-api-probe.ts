// Asks a broker which APIs it advertises (ApiVersions v0 over a raw socket,
// independent of the broker's own codecs), so that suites for features the
// broker may not have yet (idempotent producer, consumer groups) skip with the
// reason instead of failing, and start running as soon as the API appears.
import net from 'node:net';

export interface ApiRange {
  min: number;
  max: number;
}

export const API_KEYS = {
  FIND_COORDINATOR: 10,
  JOIN_GROUP: 11,
  HEARTBEAT: 12,
  LEAVE_GROUP: 13,
  SYNC_GROUP: 14,
  OFFSET_COMMIT: 8,
  OFFSET_FETCH: 9,
  INIT_PRODUCER_ID: 22,
} as const;

export const GROUP_APIS = [
  API_KEYS.FIND_COORDINATOR,
  API_KEYS.JOIN_GROUP,
  API_KEYS.HEARTBEAT,
  API_KEYS.LEAVE_GROUP,
  API_KEYS.SYNC_GROUP,
  API_KEYS.OFFSET_COMMIT,
  API_KEYS.OFFSET_FETCH,
];

export function probeApiVersions(bootstrap: string): Promise<Map<number, ApiRange>> {
  const [host, port] = [
    bootstrap.slice(0, bootstrap.lastIndexOf(':')),
    Number(bootstrap.slice(bootstrap.lastIndexOf(':') + 1)),
  ];
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const clientId = Buffer.from('compat-probe');
    // size | apiKey=18 | apiVersion=0 | correlationId | clientId (int16 length + bytes)
    const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
    req.writeInt32BE(req.length - 4, 0);
    req.writeInt16BE(18, 4);
    req.writeInt16BE(0, 6);
    req.writeInt32BE(7, 8);
    req.writeInt16BE(clientId.length, 12);
    clientId.copy(req, 14);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`ApiVersions probe to ${bootstrap} timed out`));
    }, 5_000);
    socket.on('connect', () => socket.write(req));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      clearTimeout(timer);
      socket.destroy();
      // correlationId(4) errorCode(2) count(4) then [apiKey min max] int16s
      const errorCode = buf.readInt16BE(8);
      if (errorCode !== 0) {
        reject(new Error(`ApiVersions v0 error code ${errorCode}`));
        return;
      }
      const count = buf.readInt32BE(10);
      const apis = new Map<number, ApiRange>();
      for (let i = 0; i < count; i++) {
        const at = 14 + i * 6;
        apis.set(buf.readInt16BE(at), {
          min: buf.readInt16BE(at + 2),
          max: buf.readInt16BE(at + 4),
        });
      }
      resolve(apis);
    });
  });
}

/** Null when every API is advertised, else a skip reason naming the missing ones. */
export function missingApis(
  apis: Map<number, ApiRange>,
  wanted: readonly number[],
  feature: string,
): string | null {
  const missing = wanted.filter((k) => !apis.has(k));
  return missing.length === 0
    ? null
    : `broker does not advertise ${feature} (API keys ${missing.join(', ')}) yet`;
}
