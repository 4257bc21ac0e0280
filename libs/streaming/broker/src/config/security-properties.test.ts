import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { parseProperties } from './properties.ts';
import { serverPropertiesToOptions } from './server-properties.ts';

const map = (lines: string[]) => serverPropertiesToOptions(parseProperties(lines.join('\n')));

describe('security properties', () => {
  it('reads a SASL listener: mechanisms and PLAIN users from the listener-scoped JAAS config', () => {
    const { options, warnings } = map([
      'listeners=CLIENT://:9094',
      'listener.security.protocol.map=CLIENT:SASL_PLAINTEXT',
      'listener.name.client.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512',
      'listener.name.client.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\',
      '    username="admin" password="admin-secret" user_admin="admin-secret" user_alice="a\\\\"b";',
      'listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'connections.max.reauth.ms=60000',
    ]);
    expect(warnings).toEqual([]);
    expect(options.connectionsMaxReauthMs).toBe(60000);
    expect(options.listeners).toEqual([
      {
        name: 'CLIENT',
        host: '0.0.0.0',
        port: 9094,
        securityProtocol: 'SASL_PLAINTEXT',
        sasl: {
          enabledMechanisms: ['PLAIN', 'SCRAM-SHA-512'],
          plainUsers: { admin: 'admin-secret', alice: 'a"b' },
          plainUsersOrigin: 'listener.name.client.plain.sasl.jaas.config',
        },
      },
    ]);
  });

  it('accepts the listener-less sasl.jaas.config', () => {
    const { options } = map([
      'listeners=SASL_PLAINTEXT://:9094',
      'sasl.enabled.mechanisms=PLAIN',
      'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_bob="pw";',
    ]);
    expect(options.listeners?.[0].sasl?.plainUsers).toEqual({ bob: 'pw' });
  });

  it('turns ACLs on with either of Kafka authorizer class names, with super.users', () => {
    for (const cls of [
      'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'kafka.security.authorizer.AclAuthorizer',
    ]) {
      const { options } = map([
        `authorizer.class.name=${cls}`,
        'super.users=User:admin;User:CN=ops,O=Retail',
      ]);
      expect(options.authorizer).toEqual({
        superUsers: ['User:admin', 'User:CN=ops,O=Retail'],
        allowEveryoneIfNoAclFound: false,
      });
    }
    expect(() => map(['authorizer.class.name=com.example.Custom'])).toThrow(
      /authorizer\.class\.name/,
    );
    expect(map(['super.users=User:a']).warnings).toEqual([
      expect.stringContaining('no effect without authorizer.class.name'),
    ]);
  });

  it('refuses a JAAS config with the wrong login module, and never echoes a password', () => {
    const props = [
      'listeners=SASL_PLAINTEXT://:9094',
      'sasl.enabled.mechanisms=PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required user_x="topsecret";',
    ];
    expect(() => map(props)).toThrow(ConfigError);
    expect(() => map(props)).toThrow(/PlainLoginModule/);
    expect(() => map(props)).not.toThrow(/topsecret/);
    expect(() =>
      map([
        'listeners=SASL_PLAINTEXT://:9094',
        'sasl.enabled.mechanisms=PLAIN',
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_x="unterminated;',
      ]),
    ).toThrow(/unterminated/);
  });

  it('warns about settings for a listener that does not exist', () => {
    const { warnings } = map([
      'listeners=PLAINTEXT://:9092',
      'listener.name.other.ssl.keystore.location=/x.pem',
    ]);
    expect(warnings).toEqual([
      expect.stringContaining('listener.name.other.ssl.keystore.location'),
    ]);
  });

  it('refuses advertised listeners that are not listeners, and two listeners on one port', () => {
    expect(() => map(['listeners=PLAINTEXT://:9092', 'advertised.listeners=SSL://h:9093'])).toThrow(
      /advertised\.listeners: SSL is not one of the listeners/,
    );
    expect(() => map(['listeners=PLAINTEXT://:9092,SSL://:9092'])).toThrow(/both use port 9092/);
  });
});
