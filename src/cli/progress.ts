/**
 * Progress on a terminal: one line on stderr, redrawn in place. Off a terminal (CI, pipes, JSON
 * logs) it prints nothing, and the log lines tell the story instead.
 */
export interface Progress {
  /** Starts a transfer display of bytes and files. */
  transfer(label: string, totalBytes: number, totalFiles: number): TransferProgress;
  /** Shows a one-line status, replacing the previous one. */
  status(text: string): void;
  /** Removes whatever line is shown. */
  clear(): void;
}

export interface TransferProgress {
  /** Bytes of the current file sent so far (lib-storage reports cumulative per file). */
  update(fileKey: string, loadedBytes: number): void;
  fileDone(fileKey: string, sizeBytes: number): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, enabled = stream.isTTY === true): Progress {
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
      let doneBytes = 0;
      let doneFiles = 0;
      const render = (): void => {
        let sent = doneBytes;
        for (const loaded of inFlight.values()) sent += loaded;
        draw(`${label} ${bar(sent / Math.max(totalBytes, 1))} ${formatBytes(sent)}/${formatBytes(totalBytes)} ${doneFiles}/${totalFiles} files`);
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
          render();
        },
        finish: clear,
      };
    },
  };
}

const silentTransfer: TransferProgress = { update() {}, fileDone() {}, finish() {} };
export const silentProgress: Progress = { transfer: () => silentTransfer, status() {}, clear() {} };

function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
