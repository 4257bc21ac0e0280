import { describe, expect, it } from 'vitest';
import { ClientSecurityError } from './client-security.ts';
import { clientSecurityFromEnv } from './client-security-env.ts';

const ca = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const read = (path: string) => {
  if (path === '/ca.pem') return ca;
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};

function errorOf(run: () => unknown): ClientSecurityError {
  try {
    run();
  } catch (error) {
    if (error instanceof ClientSecurityError) return error;
    throw error;
  }
  throw new Error('expected a ClientSecurityError');
}

describe("a service's Kafka security from its environment", () => {
  it('is PLAINTEXT when nothing is set, so a service runs unchanged on an open broker', () => {
    expect(clientSecurityFromEnv({})).toEqual({ protocol: 'PLAINTEXT' });
  });

  it('reads SASL_SSL with SCRAM and a PEM CA file', () => {
    expect(
      clientSecurityFromEnv(
        {
          KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
          KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
          KAFKA_SASL_USERNAME: 'sales',
          KAFKA_SASL_PASSWORD: 'sales-secret',
          KAFKA_SSL_CA_LOCATION: '/ca.pem',
        },
        read,
      ),
    ).toEqual({
      protocol: 'SASL_SSL',
      tls: { ca, checkHostname: true },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'sales', password: 'sales-secret' },
    });
  });

  it('names the missing variable of a SASL protocol, and never shows the password', () => {
    const error = errorOf(() =>
      clientSecurityFromEnv({
        KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        KAFKA_SASL_PASSWORD: 'hunter2',
      }),
    );
    expect(error.property).toBe('KAFKA_SASL_USERNAME');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses credentials that PLAINTEXT would silently not send', () => {
    const error = errorOf(() =>
      clientSecurityFromEnv({ KAFKA_SASL_USERNAME: 'sales', KAFKA_SASL_PASSWORD: 'x' }),
    );
    expect(error.property).toBe('KAFKA_SECURITY_PROTOCOL');
    expect(error.message).toMatch(/SASL_PLAINTEXT or SASL_SSL/);
  });

  it('says which CA file it cannot read', () => {
    const error = errorOf(() =>
      clientSecurityFromEnv(
        { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_LOCATION: '/missing.pem' },
        read,
      ),
    );
    expect(error.property).toBe('KAFKA_SSL_CA_LOCATION');
    expect(error.message).toContain('ENOENT');
  });
});
