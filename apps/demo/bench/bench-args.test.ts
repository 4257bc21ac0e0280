import { describe, expect, it } from 'vitest';
import { DEFAULT_JSON, DEFAULT_MARKDOWN, DEFAULT_STEPS, parseBenchArgs } from './bench-args.ts';

describe('bench:pipeline flags', () => {
  it('defaults to both series over the issue steps, writing the docs', () => {
    const args = parseBenchArgs([]);
    expect(args).toMatchObject({
      steps: DEFAULT_STEPS,
      stepSeconds: 20,
      syncRatio: 0.5,
      series: ['async', 'half-sync'],
      analyticsSeconds: 60,
      allSteps: false,
      logLevel: 'info',
      quick: false,
      outJson: DEFAULT_JSON,
      outMarkdown: DEFAULT_MARKDOWN,
    });
    expect(args.basePort).toBeUndefined();
  });

  it('takes steps, series, ratio and durations', () => {
    const args = parseBenchArgs([
      '--steps',
      '300, 100,100,200',
      '--series',
      'half-sync',
      '--sync-ratio',
      '0.25',
      '--step-seconds',
      '30',
      '--analytics-seconds',
      '0',
      '--base-port',
      '45000',
      '--all-steps',
    ]);
    expect(args).toMatchObject({
      steps: [100, 200, 300],
      series: ['half-sync'],
      syncRatio: 0.25,
      stepSeconds: 30,
      analyticsSeconds: 0,
      basePort: 45000,
      allSteps: true,
    });
  });

  it('makes a quick run small and keeps it away from the docs', () => {
    const args = parseBenchArgs(['--quick']);
    expect(args).toMatchObject({
      steps: [10, 20],
      stepSeconds: 3,
      series: ['async'],
      analyticsSeconds: 0,
      outMarkdown: null,
    });
    expect(args.outJson).toMatch(/pipeline-quick\.json$/);
  });

  it.each([
    [['--steps', '100,abc'], /--steps/],
    [['--steps', '0'], /--steps/],
    [['--series', 'sync'], /unknown sync/],
    [['--sync-ratio', '0'], /--sync-ratio/],
    [['--step-seconds', '0'], /--step-seconds/],
    [['--base-port', '80'], /--base-port/],
    [['--log-level', 'loud'], /--log-level/],
    [['--rate', '5'], /Unknown option/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});
