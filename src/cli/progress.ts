import { silentProgress, type Progress } from '../core/progress.js';
import { formatBytes, formatDuration } from '../core/units.js';

/**
 * Progress on a terminal: one line on stderr, redrawn in place. Off a terminal (CI, pipes, JSON
 * logs) it prints nothing, and the log lines tell the story instead.
 */
export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  enabled = stream.isTTY === true,
  now: () => number = Date.now,
): Progress {
  if (!enabled) return silentProgress;
  let shown = false;
  const draw = (text: string): void => {
    const width = Math.max(20, (stream.columns ?? 80) - 1);
    stream.write(`\r\x1b[2K${text.slice(0, width)}`);
    shown = true;
  };
  const clear = (): void => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    status: draw,
    clear,
    transfer(label, totalBytes, totalFiles) {
      const inFlight = new Map<string, number>();
      const started = now();
      let doneBytes = 0;
      let doneFiles = 0;
      let drawnAt = -Infinity;
      const render = (force = false): void => {
        // Thousands of small files finish within a second: redraw at most ten times a second.
        const at = now();
        if (!force && at - drawnAt < REDRAW_MS) return;
        drawnAt = at;
        let sent = doneBytes;
        for (const loaded of inFlight.values()) sent += loaded;
        const seconds = (at - started) / 1000;
        const rate = seconds > 0 ? sent / seconds : 0;
        const left = rate > 0 ? formatDuration((totalBytes - sent) / rate) : '?';
        draw(
          `${label} ${bar(sent / Math.max(totalBytes, 1))} ${formatBytes(sent)}/${formatBytes(totalBytes)} ${doneFiles}/${totalFiles} files` +
            ` ${formatBytes(rate)}/s ${left} left`,
        );
      };
      return {
        update(fileKey, loaded) {
          inFlight.set(fileKey, loaded);
          render();
        },
        fileDone(fileKey, size) {
          inFlight.delete(fileKey);
          doneBytes += size;
          doneFiles += 1;
          render(doneFiles === totalFiles);
        },
        finish: clear,
      };
    },
  };
}

const REDRAW_MS = 100;

function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
