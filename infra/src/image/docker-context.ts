import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// A CommonJS module whose typings declare an ES default export: load it as what it is.
const ignore = createRequire(import.meta.url)(
  '@balena/dockerignore',
) as typeof import('@balena/dockerignore').default;

/**
 * Copies what `docker build <root>` sends as its context to `dest`: every file except those the
 * root's .dockerignore excludes (Docker's own matching rules, not .gitignore's). Like Docker, it
 * does not descend into an excluded directory unless an exception (`!pattern`) could re-include
 * something below it. Returns the number of files copied.
 */
export function copyDockerContext(root: string, dest: string): number {
  const patterns = existsSync(join(root, '.dockerignore'))
    ? readFileSync(join(root, '.dockerignore'), 'utf8').split('\n')
    : [];
  const rules = ignore().add(patterns);
  const hasExceptions = patterns.some((p) => p.trim().startsWith('!'));
  let copied = 0;
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      const ignored = rules.ignores(path);
      if (entry.isDirectory()) {
        if (ignored && !hasExceptions) continue;
        walk(path);
      } else if (!ignored) {
        mkdirSync(join(dest, relative), { recursive: true });
        const source = join(root, path);
        if (lstatSync(source).isSymbolicLink()) symlinkSync(readlinkSync(source), join(dest, path));
        else copyFileSync(source, join(dest, path));
        copied += 1;
      }
    }
  };
  walk('');
  return copied;
}
