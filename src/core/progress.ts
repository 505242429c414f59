/**
 * The progress port: long work (uploads, downloads, a run being followed) reports through it and the
 * terminal draws it (cli/progress.ts); off a terminal, and in tests, it is silent.
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
  /** Bytes of a file sent so far, cumulative for that file (its parts go in parallel). */
  update(fileKey: string, loadedBytes: number): void;
  fileDone(fileKey: string, sizeBytes: number): void;
  finish(): void;
}

const silentTransfer: TransferProgress = { update() {}, fileDone() {}, finish() {} };
export const silentProgress: Progress = { transfer: () => silentTransfer, status() {}, clear() {} };
