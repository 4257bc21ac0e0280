/**
 * Money is integer cents inside sales (no binary floating point in stored amounts) and a number with
 * at most two decimals on the wire, as the contracts carry it.
 */
export function toCents(amount: number): bigint {
  return BigInt(Math.round(amount * 100));
}

export function fromCents(cents: bigint): number {
  return Number(cents) / 100;
}
