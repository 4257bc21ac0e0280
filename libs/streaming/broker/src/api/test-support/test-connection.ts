// Test support: a connection context for tests that call handlers or the dispatcher directly.
import type { ConnectionInfo } from '../../server/request-dispatcher.ts';

/** A PLAINTEXT connection from 127.0.0.1; `closeAfterResponse` calls are recorded in `closes`. */
export function testConnection(
  overrides: Partial<ConnectionInfo> = {},
): ConnectionInfo & { closes: string[] } {
  const closes: string[] = [];
  return {
    id: 1,
    remote: 'test',
    clientHost: '/127.0.0.1',
    signal: new AbortController().signal,
    listener: { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', sasl: null },
    transportPrincipal: 'User:ANONYMOUS',
    closeAfterResponse: (reason) => closes.push(reason),
    authenticationDone: () => undefined,
    ...overrides,
    closes,
  };
}
