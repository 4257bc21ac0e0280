import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const repoRoot = join(import.meta.dirname, '..', '..');

export interface ComposeService {
  image?: string;
  hostname?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }> | string[];
  ports?: string[];
  healthcheck?: { test?: string[] | string };
  volumes?: string[];
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** docker-compose.yml as docker compose reads it: YAML merge keys (`<<: *anchor`) resolved. */
export function readComposeFile(path = join(repoRoot, 'docker-compose.yml')): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/** A service's environment with every value as the string the container sees. */
export function environmentOf(compose: ComposeFile, service: string): Record<string, string> {
  const environment = compose.services[service]?.environment ?? {};
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [key, String(value)]),
  );
}

/**
 * The environment variables a service's config schema requires (no default, not optional), read from
 * its `src/config.ts`: the compose file must set each of them.
 */
export function requiredEnvironment(service: string): string[] {
  const source = readFileSync(join(repoRoot, 'apps', service, 'src', 'config.ts'), 'utf8');
  const required: string[] = [];
  const keys = [...source.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)];
  keys.forEach((match, index) => {
    // A definition may span lines: it runs to the next variable's key.
    const definition = source.slice(match.index, keys[index + 1]?.index ?? source.length);
    if (match[1] && !/\.default\(|\.optional\(\)/.test(definition)) required.push(match[1]);
  });
  return required;
}
