import type { ConnectionContext } from './types.ts';

/**
 * A piece of per-connection state that a feature owns, e.g. where a connection is in its SASL
 * handshake or which principal it authenticated as. The value lives exactly as long as the
 * connection (it is keyed by the connection's context object, weakly), starts as
 * `initial(connection)` on first use, and is invisible to every other feature.
 *
 *   const AUTH = new ConnectionSlot('sasl', (): AuthState => ({ stage: 'handshake' }));
 *   AUTH.get(ctx.connection).stage
 */
export class ConnectionSlot<T> {
  readonly name: string;
  readonly #initial: (connection: ConnectionContext) => T;
  readonly #values = new WeakMap<ConnectionContext, { value: T }>();

  constructor(name: string, initial: (connection: ConnectionContext) => T) {
    this.name = name;
    this.#initial = initial;
  }

  get(connection: ConnectionContext): T {
    let cell = this.#values.get(connection);
    if (!cell) {
      cell = { value: this.#initial(connection) };
      this.#values.set(connection, cell);
    }
    return cell.value;
  }

  set(connection: ConnectionContext, value: T): void {
    this.#values.set(connection, { value });
  }
}
