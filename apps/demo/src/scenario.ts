// `npm run scenario -- <name>`: a scripted scenario on an isolated stack, then the two paths side by side.
import { parseArgs } from 'node:util';
import { numberArg } from './load/load-args.ts';
import { renderProgress } from './load/progress-bar.ts';
import { runScenario } from './scenario/run-scenario.ts';
import { asyncPathHeld } from './scenario/scenario-report.ts';
import { formatScenarioReport } from './scenario/scenario-table.ts';
import { SCENARIOS, findScenario } from './scenario/scenarios.ts';

const USAGE = `Usage: npm run scenario -- <name|all> [options]

Starts a stack of its own (temporary folder, free ports), runs the scenario's load and faults, then
checks every accepted order with GET /orders/:id and prints the async and sync paths side by side.
Exit status 1 when the async path lost an order or left one undecided.

Scenarios:
${SCENARIOS.map((s) => `  ${s.name.padEnd(17)} ${s.description}`).join('\n')}

Options:
  --rate-scale <x>   multiply the scenario's rates (default 1)
  --duration <s>     override the scenario's duration
  --sync-ratio <r>   override the share of sync orders
  --keep-data        keep the temporary stack's data and process logs
  --json             print the report as JSON instead of tables
  -h, --help
`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      strict: true,
      options: {
        'rate-scale': { type: 'string' },
        duration: { type: 'string' },
        'sync-ratio': { type: 'string' },
        'keep-data': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    process.stderr.write(`scenario: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const names = positionals[0] === 'all' ? SCENARIOS.map((s) => s.name) : positionals;
  const unknown = names.filter((name) => !findScenario(name));
  if (unknown.length > 0) {
    process.stderr.write(`scenario: unknown scenario ${unknown.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  let options;
  try {
    options = {
      rateScale: numberArg('rate-scale', values['rate-scale'], 1, (n) => n > 0 && n <= 100),
      durationSeconds:
        values.duration === undefined
          ? undefined
          : numberArg('duration', values.duration, 0, (n) => n > 0),
      syncRatio:
        values['sync-ratio'] === undefined
          ? undefined
          : numberArg('sync-ratio', values['sync-ratio'], 0, (n) => n >= 0 && n <= 1),
    };
  } catch (error) {
    process.stderr.write(`scenario: ${(error as Error).message}\n`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  let held = true;
  const reports = [];
  for (const name of names) {
    const scenario = findScenario(name);
    if (!scenario) continue;
    process.stderr.write(`\n== ${scenario.name} ==\n`);
    let lastPrinted = -Infinity;
    let run;
    try {
      run = await runScenario({
        scenario,
        ...options,
        keepData: values['keep-data'],
        onNote: (message) =>
          process.stderr.write(`${tty ? '\r\x1b[2K' : ''}scenario | ${message}\n`),
        onProgress: (progress) => {
          if (tty) process.stderr.write(`\r\x1b[2K${renderProgress(progress)}`);
          else if (progress.elapsedMs - lastPrinted >= 5000) {
            lastPrinted = progress.elapsedMs;
            process.stderr.write(`${renderProgress(progress)}\n`);
          }
        },
      });
    } catch (error) {
      const e = error as Error & { code?: string };
      process.stderr.write(
        `${tty ? '\n' : ''}scenario ${scenario.name} could not run${e.code ? ` [${e.code}]` : ''}: ${e.message}\n`,
      );
      held = false;
      continue;
    }
    const { report } = run;
    if (tty) process.stderr.write('\n');
    held &&= asyncPathHeld(report);
    reports.push(report);
    if (!values.json) process.stdout.write(`\n${formatScenarioReport(report)}\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  return held ? 0 : 1;
}

process.exitCode = await main();
