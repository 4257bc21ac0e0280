/**
 * Money is integer cents inside inventory (exact sums); events and HTTP carry decimal amounts with
 * two places, as the contracts say. Rounding after the division removes binary noise such as
 * 0.1 + 0.2, so the amounts pass the contracts' multiple-of-0.01 check.
 */
export function centsToAmount(cents: number): number {
  return Math.round(cents) / 100;
}
