// The typed backbone: what defineApi, the registry and the per-connection slots promise. The
// `@ts-expect-error` lines are part of the specification: `npm run typecheck` fails if any of them
// stops being an error, i.e. if a handler could again be paired with another API's types.
import { describe, expect, it } from 'vitest';
import { ApiKey } from '../protocol/index.ts';
import type { JoinGroupRequest } from '../protocol/index.ts';
import { ConnectionSlot } from './connection-slot.ts';
import { heartbeatApi } from './heartbeat.ts';
import { ApiRegistry, CORE_APIS } from './registry.ts';
import { WireClient } from './test-support/wire-client.ts';
import { defineApi } from './types.ts';
import type { ConnectionContext } from './types.ts';
import { testConnection } from './test-support/test-connection.ts';

const heartbeatBody = { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null };

describe('defineApi', () => {
  it("takes the API's name from the protocol definitions", () => {
    const api = defineApi({
      apiKey: ApiKey.Heartbeat,
      minVersion: 0,
      maxVersion: 4,
      handle: () => ({ throttleTimeMs: 0, errorCode: 0 }),
      errorResponse: (_request, _version, errorCode) => ({ throttleTimeMs: 0, errorCode }),
    });
    expect(api.name).toBe('Heartbeat');
  });

  it('refuses, at compile time, a handler paired with another API', () => {
    defineApi({
      apiKey: ApiKey.Heartbeat,
      minVersion: 0,
      maxVersion: 4,
      // @ts-expect-error a JoinGroup request is not what the Heartbeat codec decodes
      handle: (_ctx, request: JoinGroupRequest) => ({
        throttleTimeMs: 0,
        errorCode: request ? 0 : 1,
      }),
      errorResponse: (_request, _version, errorCode) => ({ throttleTimeMs: 0, errorCode }),
    });
    defineApi({
      apiKey: ApiKey.JoinGroup,
      minVersion: 0,
      maxVersion: 9,
      // @ts-expect-error a Heartbeat response cannot be encoded as a JoinGroup response
      handle: () => ({ throttleTimeMs: 0, errorCode: 0 }),
      errorResponse: () => ({
        errorCode: 0,
        generationId: -1,
        protocolName: null,
        leader: '',
        memberId: '',
        members: [],
      }),
    });
    defineApi({
      apiKey: ApiKey.Heartbeat,
      minVersion: 0,
      // @ts-expect-error Kafka defines Heartbeat up to v4: a range beyond the codec cannot be advertised
      maxVersion: 5,
      handle: () => ({ throttleTimeMs: 0, errorCode: 0 }),
      errorResponse: (_request, _version, errorCode) => ({ throttleTimeMs: 0, errorCode }),
    });
    // The test wire client is typed by the same map.
    const send = (c: WireClient) => {
      void c.send(ApiKey.Heartbeat, 4, heartbeatBody);
      // @ts-expect-error a Heartbeat body is not a JoinGroup request
      void c.send(ApiKey.JoinGroup, 5, heartbeatBody);
    };
    expect(typeof send).toBe('function');
  });
});

describe('ApiRegistry', () => {
  it('lists what is registered by API key: what ApiVersions advertises', () => {
    const registry = new ApiRegistry(CORE_APIS, [heartbeatApi]);
    expect(registry.get(ApiKey.Heartbeat)).toBe(heartbeatApi);
    expect(registry.get(ApiKey.JoinGroup)).toBeUndefined();
    const keys = registry.keys();
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(keys).toContain(ApiKey.Produce);
  });

  it('refuses an API registered twice', () => {
    expect(() => new ApiRegistry([heartbeatApi], [heartbeatApi])).toThrow(
      'API Heartbeat (key 12) is registered twice',
    );
  });
});

describe('ConnectionSlot', () => {
  const connection = (id: number): ConnectionContext => testConnection({ id });

  it('keeps one value per connection, starting from its initial value', () => {
    const auth = new ConnectionSlot('auth', () => ({ user: null as string | null }));
    const a = connection(1);
    const b = connection(2);
    auth.get(a).user = 'alice';
    expect(auth.get(a).user).toBe('alice');
    expect(auth.get(b).user).toBeNull();
    auth.set(b, { user: 'bob' });
    expect(auth.get(b).user).toBe('bob');
  });
});
