/**
 * PEM text as Kafka accepts it: inline values in a properties file often lose their line breaks
 * (a `\` continuation joins lines), so blocks are found by their BEGIN/END markers and the base64
 * body is re-wrapped, as Kafka's own PEM reader tolerates.
 */
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  /** "CERTIFICATE", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY"... */
  label: string;
  /** The block, normalised: header, base64 in 64-character lines, footer. */
  text: string;
}

export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1];
    const body = m[2];
    // Encrypted traditional keys carry "Proc-Type:" / "DEK-Info:" headers before the base64.
    const headerLines = [...body.matchAll(/^\s*([A-Za-z-]+):\s*(\S+)\s*$/gm)].map(
      (h) => `${h[1]}: ${h[2]}`,
    );
    const base64 = body
      .replace(/^\s*[A-Za-z-]+:\s*\S+\s*$/gm, '')
      .replace(/\s+/g, '')
      .trim();
    const lines = base64.match(/.{1,64}/g) ?? [];
    const headers = headerLines.length > 0 ? `${headerLines.join('\n')}\n\n` : '';
    out.push({
      label,
      text: `-----BEGIN ${label}-----\n${headers}${lines.join('\n')}\n-----END ${label}-----\n`,
    });
  }
  return out;
}

export const isPrivateKeyLabel = (label: string): boolean => label.endsWith('PRIVATE KEY');

/** Certificates of a PEM text, normalised and concatenated; '' if none. */
export function pemCertificates(text: string): string {
  return pemBlocks(text)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.text)
    .join('');
}

/** The first private key block of a PEM text, normalised; null if none. */
export function pemPrivateKey(text: string): string | null {
  return pemBlocks(text).find((b) => isPrivateKeyLabel(b.label))?.text ?? null;
}

export function looksLikePem(content: Buffer | string): boolean {
  const head = (
    typeof content === 'string' ? content : content.subarray(0, 4096).toString('latin1')
  )
    .trimStart()
    .slice(0, 200);
  return /-----BEGIN [A-Z0-9 ]+-----/.test(head);
}
