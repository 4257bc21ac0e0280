import { describe, expect, it } from 'vitest';
import { centsToAmount } from './money.ts';

describe('centsToAmount', () => {
  it('turns integer cents into an amount with two decimals that passes the contract', () => {
    expect(centsToAmount(3499)).toBe(34.99);
    expect(centsToAmount(1999 * 3)).toBe(59.97);
    expect(centsToAmount(0)).toBe(0);
    // The contracts check multipleOf(0.01): a float sum like 0.1 + 0.2 would not pass.
    expect(centsToAmount(10 + 20)).toBe(0.3);
  });
});
