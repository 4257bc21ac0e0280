import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Router } from 'express';

const publicDir = fileURLToPath(new URL('./public/', import.meta.url));
// chart.js's package exports do not list the UMD build; find it next to the ESM entry point.
const chartJsDir = dirname(fileURLToPath(import.meta.resolve('chart.js')));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** URL path → file. A fixed list, so no request path ever reaches the file system. */
export const dashboardAssets: ReadonlyMap<string, string> = new Map([
  ['/', join(publicDir, 'index.html')],
  ['/dashboard/style.css', join(publicDir, 'style.css')],
  ['/dashboard/main.js', join(publicDir, 'main.js')],
  ['/dashboard/live-data.js', join(publicDir, 'live-data.js')],
  ['/dashboard/charts.js', join(publicDir, 'charts.js')],
  ['/dashboard/panels.js', join(publicDir, 'panels.js')],
  ['/dashboard/controls.js', join(publicDir, 'controls.js')],
  ['/dashboard/journey.js', join(publicDir, 'journey.js')],
  ['/dashboard/vendor/chart.umd.min.js', join(chartJsDir, 'chart.umd.min.js')],
]);

/** Serves the dashboard's files (no bundler: the browser loads the ES modules as they are). */
export function staticAssetRoutes(router: Router): void {
  for (const [path, file] of dashboardAssets) {
    const type = contentTypes[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream';
    router.get(path, async (_req, res) => {
      const body = await readFile(file);
      // Small files, read per request: an edited page shows on reload while developing.
      res.set({ 'content-type': type, 'cache-control': 'no-cache' }).send(body);
    });
  }
}
