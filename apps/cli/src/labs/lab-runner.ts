// Runs one lab of docs/labs.md as a user at a terminal would, and prints a JSON report on stdout.
// It expects to run as PID 1 of fresh user, network, mount and PID namespaces
// (`unshare --map-root-user --net --mount --pid --fork --mount-proc`): the lab's commands then use
// localhost:9092 and /tmp exactly as written, without touching the machine's own port 9092 or /tmp,
// and every process the lab started ends with this one.
//   node lab-runner.ts <lab id> <working directory>
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { lineMatches, type Lab, type LabStep } from './lab-script.ts';
import { SEED_LABS } from './seed-labs.ts';

/** How long one expected line, or one command's exit, may take (npx and Node start on a busy machine). */
const WAIT_MS = 90_000;
const RETRY_MS = 30_000;

export interface StepReport {
  command: string;
  ok: boolean;
  problem?: string;
  /** Everything the command printed, stdout and stderr interleaved as on a terminal. */
  output: string[];
}

class Job {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  private partial = '';
  exited = false;
  readonly exit: Promise<void>;

  constructor(command: string, cwd: string, background: boolean) {
    // Its own process group, as a shell gives each job: Ctrl-C goes to the whole job (npx and the
    // tool it runs), not to this runner.
    this.child = spawn('sh', ['-c', `exec 2>&1; ${command}`], {
      cwd,
      detached: true,
      stdio: [background ? 'ignore' : 'pipe', 'pipe', 'ignore'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.exit = new Promise((resolve) =>
      this.child.on('close', () => {
        if (this.partial !== '') this.lines.push(this.partial);
        this.partial = '';
        this.exited = true;
        resolve();
      }),
    );
  }

  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Waits for the next output line shown, from `from` on; returns the index after it. */
async function expectLine(job: Job, shown: string, from: number, excerpt: boolean) {
  const deadline = Date.now() + WAIT_MS;
  let at = from;
  for (;;) {
    while (at < job.lines.length) {
      if (lineMatches(shown, job.lines[at])) return at + 1;
      if (!excerpt) throw new Error(`expected "${shown}", got "${job.lines[at]}"`);
      at += 1;
    }
    if (job.exited) throw new Error(`exited before printing "${shown}"`);
    if (Date.now() > deadline) throw new Error(`"${shown}" did not appear in ${WAIT_MS} ms`);
    await sleep(25);
  }
}

async function play(step: LabStep, job: Job, background: boolean): Promise<void> {
  let at = 0;
  for (const line of step.screen) {
    if ('out' in line) at = await expectLine(job, line.out, at, step.excerpt === true);
    else if ('type' in line) job.child.stdin!.write(`${line.type}\n`);
    else if (line.key === '^D') job.child.stdin!.end();
    else job.signal('SIGINT');
  }
  if (background) return;
  const exited = await Promise.race([job.exit.then(() => true), sleep(WAIT_MS, false)]);
  if (!exited) throw new Error(`still running ${WAIT_MS} ms after its last line`);
  if (!step.excerpt && at < job.lines.length)
    throw new Error(`printed more than shown, from "${job.lines[at]}"`);
}

async function runStep(step: LabStep, cwd: string, jobs: Job[]): Promise<StepReport> {
  const background = step.keepsRunning === true || step.command.trimEnd().endsWith('&');
  const command = step.command.trimEnd().replace(/&$/, '');
  const giveUpAt = Date.now() + RETRY_MS;
  for (;;) {
    const job = new Job(command, cwd, background);
    try {
      await play(step, job, background);
      if (background) jobs.push(job);
      return { command: step.command, ok: true, output: job.lines };
    } catch (err) {
      job.signal('SIGKILL');
      await job.exit;
      if (step.retry && Date.now() < giveUpAt) {
        await sleep(500);
        continue;
      }
      return {
        command: step.command,
        ok: false,
        problem: (err as Error).message,
        output: job.lines,
      };
    }
  }
}

/** Ctrl-C in each background job's terminal, as a user ends a lab; anything left is killed. */
async function stopJobs(jobs: Job[]): Promise<void> {
  for (const job of jobs) job.signal('SIGINT');
  await Promise.race([Promise.all(jobs.map((job) => job.exit)), sleep(20_000)]);
  for (const job of jobs) if (!job.exited) job.signal('SIGKILL');
}

export async function runLab(lab: Lab, cwd: string): Promise<StepReport[]> {
  const jobs: Job[] = [];
  const reports: StepReport[] = [];
  try {
    for (const step of lab.steps) {
      process.stderr.write(`lab ${lab.id}: $ ${step.command}\n`);
      const report = await runStep(step, cwd, jobs);
      reports.push(report);
      if (!report.ok) break;
    }
  } finally {
    await stopJobs(jobs);
  }
  return reports;
}

if (import.meta.main) {
  const [id, cwd] = process.argv.slice(2);
  const lab = SEED_LABS.find((candidate) => candidate.id === id);
  if (!lab || !cwd) {
    process.stderr.write(`usage: lab-runner.ts <${SEED_LABS.map((l) => l.id).join('|')}> <dir>\n`);
    process.exit(2);
  }
  // A private /tmp (the labs write /tmp/kafka-logs) and the loopback interface, which a new network
  // namespace has down.
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', '/tmp']);
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const reports = await runLab(lab, cwd);
  process.stdout.write(`${JSON.stringify(reports)}\n`);
  process.exit(0);
}
