import { ConfigError } from './config-error.ts';

/**
 * Parses the Java `.properties` format that Kafka's `server.properties` uses: `#` and `!` comment
 * lines, `key=value`, `key: value` or `key value`, backslash line continuations and the usual
 * escapes (`\t`, `\n`, `\uXXXX`, `\=`...). Later keys win, as in Java.
 */
export function parseProperties(text: string): Map<string, string> {
  const result = new Map<string, string>();
  const lines = joinContinuations(text.split(/\r\n|\r|\n/));
  for (const logical of lines) {
    const line = logical.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const { key, value } = splitKeyValue(line);
    result.set(unescape(key), unescape(value));
  }
  return result;
}

/** Joins physical lines ending in an odd number of backslashes with the next line (leading blanks dropped). */
function joinContinuations(physical: string[]): string[] {
  const out: string[] = [];
  let pending: string | null = null;
  for (const raw of physical) {
    const piece: string = pending === null ? raw : raw.replace(/^[ \t\f]+/, '');
    const joined: string = (pending ?? '') + piece;
    // A comment line never continues, even if it ends in a backslash.
    const isComment = pending === null && /^[ \t\f]*[#!]/.test(joined);
    if (!isComment && endsWithOddBackslashes(joined)) {
      pending = joined.slice(0, -1);
    } else {
      out.push(joined);
      pending = null;
    }
  }
  if (pending !== null) out.push(pending);
  return out;
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

function splitKeyValue(line: string): { key: string; value: string } {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    i++;
  }
  const key = line.slice(0, i);
  let rest = line.slice(i);
  // Separator: optional blanks, at most one '=' or ':', optional blanks.
  rest = rest.replace(/^[ \t\f]*/, '');
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1);
  rest = rest.replace(/^[ \t\f]*/, '');
  return { key, value: rest };
}

function unescape(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = s[++i];
    if (next === undefined) break;
    switch (next) {
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new ConfigError(
            'BAD_PROPERTIES_ESCAPE',
            `malformed \\u escape "\\u${hex}" in properties`,
          );
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        out += next;
    }
  }
  return out;
}
