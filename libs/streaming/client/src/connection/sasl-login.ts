import { createRequire } from 'node:module';
import type { AuthenticationProviderArgs, Mechanism } from 'kafkajs';

type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** kafkajs's own authenticator for a mechanism, given the user and password. */
type BuiltInProvider = (sasl: {
  mechanism: string;
  username: string;
  password: string;
}) => Mechanism['authenticationProvider'];

/**
 * kafkajs 2.2.4 does not export its PLAIN and SCRAM authenticators; they are loaded from its
 * sources (the version is pinned in package.json, as for kafkajs-request-queue-timer.ts).
 */
const kafkajsSources = createRequire(import.meta.url);
// Through require as well: kafkajs adds its error classes to its exports with a spread, which Node's
// ESM named imports of a CommonJS module cannot see.
const { KafkaJSConnectionError } = kafkajsSources('kafkajs') as typeof import('kafkajs');
const BUILT_IN: Record<SaslMechanism, string> = {
  PLAIN: 'kafkajs/src/broker/saslAuthenticator/plain.js',
  'SCRAM-SHA-256': 'kafkajs/src/broker/saslAuthenticator/scram256.js',
  'SCRAM-SHA-512': 'kafkajs/src/broker/saslAuthenticator/scram512.js',
};

/** Errors of the connection itself, not answers of the broker: the socket closed, or no reply came. */
const TRANSPORT_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
]);

/**
 * The kafkajs `sasl` setting for a login with `mechanism`: kafkajs's own authenticator, except for
 * how a login that the connection broke off is reported.
 *
 * kafkajs reports any error during the SASL exchange as KafkaJSSASLAuthenticationError, which is
 * non-retriable, including a connection the broker closed mid-login: what every client sees when a
 * broker stops or restarts while it is logging in. Non-retriable, that error ends
 * `producer.connect()` at once (no retry), crashes consumers for good (kafkajs restarts a crashed
 * consumer only after a retriable error), and left the services' outbox relays failing until they
 * were restarted (kafkajs issue #1550 is the same with a timeout). The Java client treats a
 * connection "terminated during authentication" as a transient network issue and connects again;
 * so does this: such a failure becomes a retriable KafkaJSConnectionError, on which kafkajs opens a
 * new connection. A login the broker refuses (a wrong password, an unknown user) is an answer, not
 * a broken connection, and stays a non-retriable KafkaJSSASLAuthenticationError.
 */
export function saslLogin(mechanism: SaslMechanism, username: string, password: string): Mechanism {
  const builtIn = (kafkajsSources(BUILT_IN[mechanism]) as BuiltInProvider)({
    mechanism,
    username,
    password,
  });
  return {
    mechanism: mechanism.toLowerCase(),
    authenticationProvider: (args: AuthenticationProviderArgs) => {
      // kafkajs asks for a provider at every login, so this is one login's. An object: the
      // exchange's requests write it from their own closure.
      const last: { transportError?: Error } = {};
      const authenticator = builtIn({
        ...args,
        saslAuthenticate: async (request) => {
          try {
            return await args.saslAuthenticate(request);
          } catch (error) {
            if (TRANSPORT_ERRORS.has((error as Error).name)) last.transportError = error as Error;
            throw error;
          }
        },
      });
      return {
        authenticate: async () => {
          try {
            await authenticator.authenticate();
          } catch (error) {
            const { transportError } = last;
            if (!transportError) throw error;
            const interrupted = new KafkaJSConnectionError(
              `SASL ${mechanism} login interrupted: the connection broke before the broker answered (${transportError.message}); retried on a new connection`,
              { broker: `${args.host}:${args.port}` },
            );
            throw Object.assign(interrupted, { cause: transportError });
          }
        },
      };
    },
  };
}
