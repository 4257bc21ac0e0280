import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  args: string;
}

/**
 * A Dockerfile's instructions in order: comments dropped, `\` continuations joined, keywords
 * upper-cased. Enough to read what this repository's Dockerfile does, not a full BuildKit parser.
 */
export function readDockerfile(path: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const space = full.search(/\s/);
    instructions.push({
      keyword: (space === -1 ? full : full.slice(0, space)).toUpperCase(),
      args: space === -1 ? '' : full.slice(space + 1).trim(),
    });
  }
  return instructions;
}

/** What the service image is: the base image's Node major, its environment, and how it installs. */
export interface ServiceImagePlan {
  /** The Node.js major the base image (`node:<major>...`) provides. */
  nodeMajor: number;
  /** ENV instructions, in order. */
  env: Record<string, string>;
  /** The `npm ci ...` arguments of the RUN step (what follows `npm`). */
  npmCi: string[];
  user: string | undefined;
}

/**
 * Reads the steps this repository's Dockerfile takes and refuses any it does not know how to
 * reproduce without Docker, so that a new step cannot slip past the image test unexamined.
 */
export function serviceImagePlan(instructions: Instruction[]): ServiceImagePlan {
  const plan: ServiceImagePlan = { nodeMajor: Number.NaN, env: {}, npmCi: [], user: undefined };
  for (const { keyword, args } of instructions) {
    switch (keyword) {
      case 'FROM': {
        const major = /^node:(\d+)(?:[.\-\w]*)?$/.exec(args)?.[1];
        if (!major)
          throw new Error(`FROM ${args}: the image test reproduces node:<major> bases only`);
        plan.nodeMajor = Number(major);
        break;
      }
      case 'ENV':
        for (const [, name, value] of args.matchAll(/(\w+)=("[^"]*"|\S+)/g))
          if (name && value) plan.env[name] = value.replace(/^"|"$/g, '');
        break;
      case 'WORKDIR':
      case 'CMD':
        break;
      case 'COPY':
        if (args !== '. .')
          throw new Error(
            `COPY ${args}: the image test reproduces \`COPY . .\` (the whole context) only`,
          );
        break;
      case 'RUN':
        for (const command of args.split('&&').map((c) => c.trim())) {
          if (/^npm ci(\s|$)/.test(command)) plan.npmCi = command.split(/\s+/).slice(1);
          else if (command !== 'npm cache clean --force')
            throw new Error(
              `RUN ${command}: the image test does not know how to reproduce this step`,
            );
        }
        break;
      case 'USER':
        plan.user = args;
        break;
      default:
        throw new Error(
          `${keyword} ${args}: the image test does not know how to reproduce this step`,
        );
    }
  }
  if (plan.npmCi.length === 0) throw new Error('the Dockerfile runs no `npm ci`');
  return plan;
}
