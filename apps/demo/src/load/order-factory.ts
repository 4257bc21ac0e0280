/** SKUs of inventory's seed catalogue: used when the catalogue cannot be read from inventory. */
export const DEFAULT_SKUS: readonly string[] = [
  'SKU-KETTLE-01',
  'SKU-TOASTER-01',
  'SKU-MUG-01',
  'SKU-MUG-02',
  'SKU-TEAPOT-01',
  'SKU-PLATE-01',
  'SKU-BOWL-01',
  'SKU-GLASS-01',
  'SKU-PAN-01',
  'SKU-POT-01',
  'SKU-KNIFE-01',
  'SKU-BOARD-01',
  'SKU-SCALE-01',
  'SKU-GRINDER-01',
  'SKU-PRESS-01',
  'SKU-TOWEL-01',
  'SKU-APRON-01',
  'SKU-JAR-01',
  'SKU-TIMER-01',
  'SKU-BLENDER-01',
];

export interface OrderBody {
  customerId: string;
  lines: { sku: string; quantity: number }[];
}

/** A plausible order: one of 50 customers, one to three different SKUs, one to three of each. */
export function randomOrder(
  skus: readonly string[],
  random: () => number = Math.random,
): OrderBody {
  const pick = (n: number) => Math.floor(random() * n);
  const count = Math.min(skus.length, 1 + pick(3));
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(skus[pick(skus.length)] as string);
  return {
    customerId: `load-customer-${String(pick(50)).padStart(2, '0')}`,
    lines: [...chosen].map((sku) => ({ sku, quantity: 1 + pick(3) })),
  };
}

/** The catalogue's SKUs from inventory (`GET /products`), or the seed list when it cannot answer. */
export async function fetchSkus(inventoryUrl: string | undefined): Promise<readonly string[]> {
  if (!inventoryUrl) return DEFAULT_SKUS;
  try {
    const response = await fetch(`${inventoryUrl}/products`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) return DEFAULT_SKUS;
    const body = (await response.json()) as { products?: { sku?: unknown }[] };
    const skus = (body.products ?? [])
      .map((product) => product.sku)
      .filter((sku): sku is string => typeof sku === 'string');
    return skus.length > 0 ? skus : DEFAULT_SKUS;
  } catch {
    return DEFAULT_SKUS;
  }
}
