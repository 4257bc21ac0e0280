import { ConfigError } from '../config/config-error.ts';

/** One login module entry of a JAAS config: `Class flag key=value ...;`. */
export interface JaasModule {
  loginModule: string;
  flag: 'required' | 'requisite' | 'sufficient' | 'optional';
  options: Map<string, string>;
}

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';

const FLAGS = new Set(['required', 'requisite', 'sufficient', 'optional']);

/**
 * Parses the value of a `sasl.jaas.config` property, which holds exactly one login module as Kafka
 * requires: `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin"
 * password="..." user_alice="...";`. Values may be double-quoted (with backslash escapes) or bare
 * words. Errors name the property and never echo a value, since values are passwords.
 */
export function parseJaasConfig(property: string, text: string): JaasModule {
  const tokens = tokenize(property, text);
  let i = 0;
  const fail = (what: string): never => {
    throw new ConfigError('INVALID_JAAS_CONFIG', `${property}: ${what}`);
  };
  const modules: JaasModule[] = [];
  while (i < tokens.length) {
    const cls = tokens[i++];
    if (cls.kind !== 'word') fail('expected a login module class name');
    const flag = tokens[i++];
    if (!flag || flag.kind !== 'word' || !FLAGS.has(flag.text.toLowerCase()))
      fail(
        `expected a control flag (required, requisite, sufficient or optional) after ${cls.text}`,
      );
    const options = new Map<string, string>();
    for (;;) {
      const t = tokens[i++];
      if (!t) fail('missing ";" at the end of the login module');
      if (t.kind === 'semicolon') break;
      if (t.kind !== 'word') fail('expected an option name');
      const eq = tokens[i++];
      if (!eq || eq.kind !== 'equals') fail(`expected "=" after option ${t.text}`);
      const value = tokens[i++];
      if (!value || (value.kind !== 'word' && value.kind !== 'quoted'))
        fail(`expected a value for option ${t.text}`);
      options.set(t.text, value.text);
    }
    modules.push({
      loginModule: cls.text,
      flag: flag.text.toLowerCase() as JaasModule['flag'],
      options,
    });
  }
  if (modules.length !== 1) fail(`must contain exactly one login module, found ${modules.length}`);
  return modules[0];
}

/** The `user_<name>="<password>"` options of a PlainLoginModule entry. */
export function plainUsersOf(module: JaasModule): Record<string, string> {
  const users: Record<string, string> = {};
  for (const [key, value] of module.options) {
    if (key.startsWith('user_') && key.length > 'user_'.length) users[key.slice(5)] = value;
  }
  return users;
}

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'quoted'; text: string }
  | { kind: 'equals'; text: '=' }
  | { kind: 'semicolon'; text: ';' };

function tokenize(property: string, text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=') {
      out.push({ kind: 'equals', text: '=' });
      i++;
    } else if (c === ';') {
      out.push({ kind: 'semicolon', text: ';' });
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length)
          throw new ConfigError('INVALID_JAAS_CONFIG', `${property}: unterminated quoted value`);
        const d = text[i++];
        if (d === '"') break;
        if (d === '\\' && i < text.length) value += text[i++];
        else value += d;
      }
      out.push({ kind: 'quoted', text: value });
    } else {
      const start = i;
      while (i < text.length && !/[\s=;"]/.test(text[i])) i++;
      out.push({ kind: 'word', text: text.slice(start, i) });
    }
  }
  return out;
}
