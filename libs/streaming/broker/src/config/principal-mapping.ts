import { ConfigError } from './config-error.ts';

/**
 * `ssl.principal.mapping.rules`: how a client certificate's distinguished name becomes a user name,
 * as Kafka defines it. A comma- or newline-separated list of `RULE:pattern/replacement/[LU]` and
 * `DEFAULT`; the first rule whose pattern matches the whole DN wins, `DEFAULT` keeps the DN as it
 * is, `L`/`U` lower- or upper-case the result. No rule matching is an authentication failure.
 */
export type PrincipalMappingRule =
  | { kind: 'default' }
  | { kind: 'rule'; pattern: RegExp; replacement: string; toCase: 'L' | 'U' | null };

const RULE = /^RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?)$/;

export function parsePrincipalMappingRules(property: string, text: string): PrincipalMappingRule[] {
  const rules: PrincipalMappingRule[] = [];
  for (const raw of splitRules(text)) {
    if (raw === 'DEFAULT') {
      rules.push({ kind: 'default' });
      continue;
    }
    const m = RULE.exec(raw);
    if (!m)
      throw new ConfigError(
        'INVALID_CONFIG_VALUE',
        `${property}: cannot parse rule "${raw}" (expected RULE:pattern/replacement/[LU] or DEFAULT)`,
      );
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${m[1]})$`);
    } catch (err) {
      throw new ConfigError(
        'INVALID_CONFIG_VALUE',
        `${property}: bad pattern in "${raw}": ${(err as Error).message}`,
      );
    }
    rules.push({
      kind: 'rule',
      pattern,
      replacement: m[2].replace(/\\(.)/g, '$1'),
      toCase: (m[3] || null) as 'L' | 'U' | null,
    });
  }
  if (rules.length === 0) throw new ConfigError('INVALID_CONFIG_VALUE', `${property} is empty`);
  return rules;
}

/** Applies the rules to a DN; null when none matches (the connection is then refused). */
export function applyPrincipalMappingRules(
  rules: readonly PrincipalMappingRule[],
  dn: string,
): string | null {
  for (const rule of rules) {
    if (rule.kind === 'default') return dn;
    if (!rule.pattern.test(dn)) continue;
    const out = dn.replace(rule.pattern, rule.replacement);
    return rule.toCase === 'L' ? out.toLowerCase() : rule.toCase === 'U' ? out.toUpperCase() : out;
  }
  return null;
}

/** Splits on commas and newlines that are not inside a RULE's pattern or replacement. */
function splitRules(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[\s,]/.test(text[i])) i++;
    if (i >= text.length) break;
    if (text.startsWith('RULE:', i)) {
      // RULE:<pattern>/<replacement>/<flags>: two unescaped slashes, then optional L or U.
      let j = i + 5;
      let slashes = 0;
      while (j < text.length && slashes < 2) {
        if (text[j] === '\\') j += 2;
        else {
          if (text[j] === '/') slashes++;
          j++;
        }
      }
      if (j < text.length && /[LU]/.test(text[j])) j++;
      out.push(text.slice(i, j));
      i = j;
    } else {
      let j = i;
      while (j < text.length && !/[,\n]/.test(text[j])) j++;
      out.push(text.slice(i, j).trim());
      i = j;
    }
  }
  return out;
}
