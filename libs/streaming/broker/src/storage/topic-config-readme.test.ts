// storage/README.md documents every topic config; this keeps its table equal to the one the broker
// runs with (topic-config-table.ts): same configs, defaults, broker properties, effect and meaning.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOPIC_CONFIG_KEYS } from './topic-config-table.ts';

const code = (s: string) => `\`${s}\``;

function readmeRows(): string[][] {
  const readme = fs.readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Topic configs'), readme.indexOf('## Tests'));
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

describe('storage/README.md', () => {
  it('shows exactly the topic-config table', () => {
    expect(readmeRows()).toEqual(
      TOPIC_CONFIG_KEYS.map((k) => [
        code(k.name),
        k.defaultValue === '' ? '(empty)' : code(k.defaultValue),
        k.synonyms.map(code).join(', ') || '–',
        k.effect,
        k.doc,
      ]),
    );
  });
});
