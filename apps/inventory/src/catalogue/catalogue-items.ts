/**
 * The catalogue inventory starts with. Prices are integer cents so that sums are exact; they become
 * decimal amounts with two places only at the edges (events, HTTP). Stock levels sit well above the
 * reorder points, so a demo has to sell for a while before reordering kicks in.
 */
export interface CatalogueItem {
  sku: string;
  name: string;
  unitPriceCents: number;
  initialStock: number;
  reorderPoint: number;
  reorderQuantity: number;
}

export const catalogueItems: readonly CatalogueItem[] = [
  item('SKU-KETTLE-01', 'Electric kettle 1.7 l', 3499, 120, 20, 100),
  item('SKU-TOASTER-01', 'Two-slice toaster', 2999, 100, 15, 80),
  item('SKU-MUG-01', 'Stoneware mug', 799, 400, 60, 300),
  item('SKU-MUG-02', 'Insulated travel mug', 1899, 200, 30, 150),
  item('SKU-TEAPOT-01', 'Glass teapot with infuser', 2450, 80, 12, 60),
  item('SKU-PLATE-01', 'Dinner plate, set of 4', 3200, 150, 25, 100),
  item('SKU-BOWL-01', 'Cereal bowl, set of 4', 2600, 150, 25, 100),
  item('SKU-GLASS-01', 'Tumbler glass, set of 6', 1999, 180, 30, 120),
  item('SKU-PAN-01', 'Non-stick frying pan 28 cm', 3999, 90, 15, 60),
  item('SKU-POT-01', 'Stainless stock pot 6 l', 5499, 60, 10, 40),
  item('SKU-KNIFE-01', "Chef's knife 20 cm", 4999, 70, 10, 50),
  item('SKU-BOARD-01', 'Bamboo chopping board', 1750, 140, 20, 100),
  item('SKU-SCALE-01', 'Digital kitchen scale', 2199, 90, 15, 60),
  item('SKU-GRINDER-01', 'Burr coffee grinder', 6999, 50, 8, 40),
  item('SKU-PRESS-01', 'French press 1 l', 2799, 110, 18, 80),
  item('SKU-TOWEL-01', 'Tea towel, pack of 3', 999, 300, 50, 200),
  item('SKU-APRON-01', 'Cotton apron', 1499, 120, 20, 80),
  item('SKU-JAR-01', 'Storage jar 1 l', 899, 250, 40, 200),
  item('SKU-TIMER-01', 'Kitchen timer', 1099, 130, 20, 100),
  item('SKU-BLENDER-01', 'Countertop blender', 8999, 40, 6, 30),
];

function item(
  sku: string,
  name: string,
  unitPriceCents: number,
  initialStock: number,
  reorderPoint: number,
  reorderQuantity: number,
): CatalogueItem {
  return { sku, name, unitPriceCents, initialStock, reorderPoint, reorderQuantity };
}
