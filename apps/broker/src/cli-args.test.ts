import { describe, expect, it } from 'vitest';
import { CliError, parseAddScramFile, parseCliArgs } from './cli-args.ts';

describe('parseCliArgs', () => {
  it('parses every flag', () => {
    const cmd = parseCliArgs([
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--log-dir',
      '/data',
      '--config',
      'server.properties',
      '--node-id',
      '4',
      '--advertised-host',
      'kafka',
      '--advertised-port',
      '19092',
      '--log-level',
      'debug',
    ]);
    expect(cmd).toEqual({
      kind: 'run',
      options: {
        port: 0,
        host: '0.0.0.0',
        logDir: '/data',
        configFile: 'server.properties',
        nodeId: 4,
        advertisedHost: 'kafka',
        advertisedPort: 19092,
        logLevel: 'debug',
      },
    });
  });

  it('reads --add-scram in kafka-storage syntax, repeatable, and never echoes the password on error', () => {
    const cmd = parseCliArgs([
      '--add-scram',
      'SCRAM-SHA-512=[name=alice,password=a-secret,iterations=8192]',
      '--add-scram',
      'SCRAM-SHA-256=[name=bob,password="b-secret"]',
    ]);
    expect(cmd.kind === 'run' && cmd.options.scramUsers).toEqual([
      { name: 'alice', mechanism: 'SCRAM-SHA-512', password: 'a-secret', iterations: 8192 },
      { name: 'bob', mechanism: 'SCRAM-SHA-256', password: 'b-secret' },
    ]);
    for (const bad of [
      'PLAIN=[name=a,password=p-secret]',
      'SCRAM-SHA-256=[name=a]',
      'SCRAM-SHA-256=[name=a,password=p-secret,iterations=10]',
    ]) {
      expect(() => parseCliArgs(['--add-scram', bad])).toThrow(CliError);
      try {
        parseCliArgs(['--add-scram', bad]);
      } catch (err) {
        expect((err as Error).message).not.toContain('p-secret');
      }
    }
  });

  it('defaults the log level to info and leaves the rest unset', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'run', options: { logLevel: 'info' } });
  });

  it('recognises --help and -h', () => {
    expect(parseCliArgs(['--help']).kind).toBe('help');
    expect(parseCliArgs(['-h']).kind).toBe('help');
  });

  it.each([
    [['--bogus']],
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--log-level', 'loud']],
    [['--log-dir', '']],
    [['stray']],
  ])('rejects %j with a CliError', (argv) => {
    expect(() => parseCliArgs(argv)).toThrow(CliError);
  });

  it('takes SCRAM users from a file, one --add-scram value a line, so no password is in ps', () => {
    expect(parseCliArgs(['--add-scram-file', '/run/users'])).toMatchObject({
      kind: 'run',
      options: { scramUsersFile: '/run/users' },
    });
    expect(
      parseAddScramFile(
        '# users\nSCRAM-SHA-512=[name=sales,password=s3cret]\n\nSCRAM-SHA-256=[name=bob,password=x,iterations=4096]\n',
      ),
    ).toEqual([
      { name: 'sales', mechanism: 'SCRAM-SHA-512', password: 's3cret' },
      { name: 'bob', mechanism: 'SCRAM-SHA-256', password: 'x', iterations: 4096 },
    ]);
    let message = '';
    try {
      parseAddScramFile('SCRAM-SHA-512=[name=sales,password=s3cret');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/--add-scram must look like/);
    expect(message).not.toContain('s3cret');
  });
});
