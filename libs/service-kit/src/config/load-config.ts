import { z } from 'zod';
import { ConfigError } from './config-error.ts';
import type { ConfigProblem } from './config-error.ts';

export type Env = Record<string, string | undefined>;

/**
 * Reads a service's configuration from environment variables. The schema's keys ARE the variable
 * names (`PORT`, `DATABASE_URL`), so what a service declares is exactly what an operator sets.
 * Values arrive as strings: use `z.coerce.number()`, `z.stringbool()`, `z.url()` or the fields in
 * `commonConfig`. An empty variable counts as absent, so `PORT=` falls back to the default instead
 * of failing on `Number('')`.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.output<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const problems = new Map<string, ConfigProblem>();
  for (const issue of result.error.issues) {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : '(configuration)';
    if (problems.has(variable)) continue; // the first issue per variable says enough
    const missing = !(variable in input);
    problems.set(variable, {
      variable,
      kind: missing ? 'missing' : 'invalid',
      expected: describeExpectation(issue),
    });
  }
  throw new ConfigError([...problems.values()]);
}

/**
 * zod's messages describe what was wrong with the received value ("expected number, received NaN");
 * we want what the operator should set instead, without repeating the (possibly secret) value.
 */
function describeExpectation(issue: z.core.$ZodIssue): string {
  const message = issue.message
    .replace(/,?\s*received .*$/i, '')
    .replace(/^Invalid input:\s*/i, '');
  return message.length > 0 ? message : issue.code;
}
