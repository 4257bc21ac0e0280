/**
 * Regenerates the README's screenshot from a running demo (`npm start`):
 *
 *   node apps/analytics/src/dashboard/capture-screenshot.ts [dashboard-url] [out.png] [--tour]
 *        [--rate=40] [--sync=0.3] [--warmup=45]
 *
 * With `--tour` it first uses the page's own controls the way a presenter would: start load (by default 40/s,
 * 30 % sync, for 45 s), stop inventory and take the picture 20 s into the outage (the inventory
 * group's lag climbing, sync orders failing at sales); then it starts inventory and stops the load.
 * Needs Debian's chromium (`apt-get install -y chromium`).
 */
import { chromium, type Page } from 'playwright-core';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const tour = process.argv.includes('--tour');
const flag = (name: string, fallback: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const rate = flag('rate', '40');
const syncShare = flag('sync', '0.3');
const warmupMs = Number(flag('warmup', '45')) * 1000;
const url = args[0] ?? 'http://localhost:3000';
const out = args[1] ?? 'docs/images/dashboard.png';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function control(page: Page, name: string, logText: string) {
  await page.click(`button[data-control="${name}"]`);
  await page.waitForSelector(`#control-log li:has-text("${logText}")`, { timeout: 60_000 });
  console.log(`  ${logText}`);
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('#connection[data-state="live"]');
  if (tour) {
    await page.fill('#load-rate', rate);
    await page.locator('#load-sync-ratio').fill(syncShare);
    await control(page, 'load-start', 'start load');
    await sleep(warmupMs);
    await control(page, 'inventory-stop', 'stop inventory');
    await sleep(20_000);
  } else {
    await sleep(5_000);
  }
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
  if (tour) {
    await control(page, 'inventory-start', 'start inventory');
    await control(page, 'load-stop', 'stop load');
  }
} finally {
  await browser.close();
}
