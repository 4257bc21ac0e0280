// The transactions section of docs/benchmarks/broker.md: written by txn-bench.ts between two
// markers, and kept when broker-bench.ts rewrites the rest of the page.
export const TXN_SECTION_START = '<!-- bench:transactions start -->';
export const TXN_SECTION_END = '<!-- bench:transactions end -->';

/** `page` with the transactions section replaced by (or, when it has none, followed by) `section`. */
export function withTransactionsSection(page: string, section: string): string {
  const at = page.indexOf(TXN_SECTION_START);
  const end = page.indexOf(TXN_SECTION_END);
  if (at < 0 || end < at) return `${page.trimEnd()}\n\n${section.trim()}\n`;
  return page.slice(0, at) + section.trim() + page.slice(end + TXN_SECTION_END.length);
}

/** The transactions section of `page`, or null. */
export function transactionsSection(page: string): string | null {
  const at = page.indexOf(TXN_SECTION_START);
  const end = page.indexOf(TXN_SECTION_END);
  return at >= 0 && end > at ? page.slice(at, end + TXN_SECTION_END.length) : null;
}
