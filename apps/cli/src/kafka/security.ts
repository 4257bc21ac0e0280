import {
  ClientSecurityError,
  clientSecurityFromProperties,
} from '@retail-streams/streaming-client/security';
import type { ClientSecurity } from '@retail-streams/streaming-client/security';
import { usageError } from '../errors.ts';
import { readPropertiesFile } from '../util/properties-file.ts';
import { parseKeyValues } from '../util/parse-options.ts';

/**
 * The connection's TLS and SASL settings from Kafka client properties: a `--command-config` file
 * (as Kafka's tools take it; also STREAMING_COMMAND_CONFIG) and `--client-property k=v` on top.
 * Undefined when neither says anything (PLAINTEXT).
 */
export function securityFrom(
  commandConfig: string | undefined,
  clientProperties: readonly string[] | undefined,
): ClientSecurity | undefined {
  const props = commandConfig ? readPropertiesFile(commandConfig) : new Map<string, string>();
  for (const [k, v] of parseKeyValues('--client-property', clientProperties)) props.set(k, v);
  if (
    ![...props.keys()].some(
      (k) => k.startsWith('security.') || k.startsWith('sasl.') || k.startsWith('ssl.'),
    )
  )
    return undefined;
  try {
    return clientSecurityFromProperties(props);
  } catch (err) {
    if (err instanceof ClientSecurityError)
      throw usageError(`${commandConfig ? `${commandConfig}: ` : ''}${err.message}`);
    throw err;
  }
}
