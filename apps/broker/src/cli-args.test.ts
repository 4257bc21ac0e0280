import { describe, expect, it } from 'vitest';
import { CliError, parseCliArgs } from './cli-args.ts';

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
});
