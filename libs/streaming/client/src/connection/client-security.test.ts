import { describe, expect, it } from 'vitest';
import {
  ClientSecurityError,
  clientSecurityFromProperties,
  kafkajsSecurity,
} from './client-security.ts';

const files: Record<string, string> = {
  '/ca.pem': '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
  '/client.pem':
    '-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n',
};
const read = (p: string) => {
  if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return files[p];
};
const parse = (lines: Record<string, string>) =>
  clientSecurityFromProperties(new Map(Object.entries(lines)), read);

describe('client security from Kafka client properties', () => {
  it('reads SASL_SSL with SCRAM, a PEM trust store and a PEM key store', () => {
    const security = parse({
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'SCRAM-SHA-512',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="sales" password="p\\"w";',
      'ssl.truststore.location': '/ca.pem',
      'ssl.keystore.location': '/client.pem',
      'ssl.endpoint.identification.algorithm': '',
    });
    expect(security).toEqual({
      protocol: 'SASL_SSL',
      tls: {
        ca: files['/ca.pem'],
        key: '-----BEGIN PRIVATE KEY-----\nK\n-----END PRIVATE KEY-----\n',
        cert: '-----BEGIN CERTIFICATE-----\nC\n-----END CERTIFICATE-----\n',
        checkHostname: false,
      },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'sales', password: 'p"w' },
    });
    const kafkajs = kafkajsSecurity(security);
    // kafkajs's SCRAM login for that user, wrapped (sasl-login.ts; its test logs in with it).
    expect(kafkajs.sasl).toEqual({
      mechanism: 'scram-sha-512',
      authenticationProvider: expect.any(Function),
    });
    expect(kafkajs.ssl).toMatchObject({ ca: [files['/ca.pem']] });
  });

  it('is PLAINTEXT without settings, and refuses what it cannot use, naming the property', () => {
    expect(parse({})).toEqual({ protocol: 'PLAINTEXT' });
    expect(kafkajsSecurity(parse({}))).toEqual({});
    const refuses = (lines: Record<string, string>, property: string) => {
      try {
        parse(lines);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ClientSecurityError);
        expect((err as ClientSecurityError).property).toBe(property);
        expect((err as Error).message).not.toContain('secret');
      }
    };
    refuses({ 'security.protocol': 'SASL_SSL' }, 'sasl.mechanism');
    refuses(
      { 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN' },
      'sasl.jaas.config',
    );
    refuses(
      {
        'security.protocol': 'SASL_PLAINTEXT',
        'sasl.mechanism': 'PLAIN',
        'sasl.jaas.config': 'x required password="secret";',
      },
      'sasl.jaas.config',
    );
    refuses(
      { 'security.protocol': 'SSL', 'ssl.truststore.location': '/missing.pem' },
      'ssl.truststore.location',
    );
    refuses({ 'security.protocol': 'SSL', 'ssl.truststore.type': 'JKS' }, 'ssl.truststore.type');
    refuses({ 'security.protocol': 'KERBEROS' }, 'security.protocol');
  });
});
