import type { X509Certificate } from 'node:crypto';
import {
  applyPrincipalMappingRules,
  parsePrincipalMappingRules,
} from '../config/principal-mapping.ts';
import type { PrincipalMappingRule } from '../config/principal-mapping.ts';

export const ANONYMOUS = 'User:ANONYMOUS';

/**
 * The certificate's subject as Java's `X500Principal.getName()` prints it (RFC 2253): the most
 * specific RDN first, comma-separated, multi-valued RDNs joined with '+' in keyword order (as Java
 * sorts them), special characters escaped. Node prints the subject one RDN per line in certificate
 * order, already escaped per RFC 2253, with " + " inside multi-valued RDNs.
 */
export function rfc2253Subject(cert: X509Certificate): string {
  return cert.subject
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .map((rdn) =>
      rdn
        .split(' + ')
        .sort((a, b) => keyword(a).localeCompare(keyword(b)))
        .join('+'),
    )
    .join(',');
}

const keyword = (ava: string) => ava.slice(0, ava.indexOf('=')).toUpperCase();

/** Kafka's default SSL principal: `User:` + the mapped DN (DEFAULT rule: the DN itself). */
export class SslPrincipalBuilder {
  readonly #rules: PrincipalMappingRule[];

  constructor(rulesText: string | undefined) {
    this.#rules = parsePrincipalMappingRules('ssl.principal.mapping.rules', rulesText ?? 'DEFAULT');
  }

  /** The principal, or null when no mapping rule matches (the connection is refused). */
  principal(cert: X509Certificate | undefined): string | null {
    if (!cert) return ANONYMOUS;
    const name = applyPrincipalMappingRules(this.#rules, rfc2253Subject(cert));
    return name === null ? null : `User:${name}`;
  }
}
