import type { LoadProgress } from './load-generator.ts';

/** One line describing a running load: a bar when the duration is known, counters always. */
export function renderProgress(progress: LoadProgress, width = 24): string {
  const { async, sync } = progress.paths;
  const sent = async.sent + sync.sent;
  const accepted = async.accepted + sync.accepted;
  const failed = async.failed + sync.failed;
  const seconds = progress.elapsedMs / 1000;
  let bar = '';
  if (Number.isFinite(progress.durationMs)) {
    const share = Math.min(1, progress.elapsedMs / progress.durationMs);
    const filled = Math.round(share * width);
    bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% `;
  }
  const rate = seconds > 0 ? (sent / seconds).toFixed(0) : '0';
  return (
    `${bar}${seconds.toFixed(0)}s  sent ${sent}  ok ${accepted}  failed ${failed}` +
    `  in flight ${progress.inFlight}  ${rate}/s`
  );
}
