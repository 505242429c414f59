import { formatDuration } from '../core/units.js';

/**
 * Spark's console progress bar (spark.ui.showConsoleProgress), read from the job's stderr. Spark
 * redraws it in place, "\r[Stage 3:=====>          (12 + 4) / 200]\r", up to three stages side by
 * side, for stages running longer than half a second; a line of spaces clears it. This turns it
 * into one status line of our own, so a local run shows where it is instead of a long silence.
 */

export interface StageProgress {
  readonly stage: number;
  readonly done: number;
  readonly running: number;
  readonly total: number;
}

const STAGE = /\[Stage (\d+)(?: \(attempt \d+\))?:[=> ]*\((\d+) \+ (\d+)\) \/ (\d+)\]/g;

/** The stages one redraw of the bar shows; empty for a line that is not the bar. */
export function parseProgressBar(segment: string): StageProgress[] {
  return [...segment.matchAll(STAGE)].map((m) => ({ stage: Number(m[1]), done: Number(m[2]), running: Number(m[3]), total: Number(m[4]) }));
}

/**
 * Whether a segment of stderr is the bar, or the line of spaces that clears it: neither belongs in
 * a log. An empty segment (between the "\r" that ends one redraw and the one that starts the next)
 * is neither.
 */
export function isProgressBar(segment: string): boolean {
  if (segment === '') return false;
  return segment.trim() === '' || /^(\[Stage \d+[^\]]*\])+$/.test(segment.trim());
}

/** Splits a stream into the segments Spark ends with "\r" or "\n", keeping a partial one for later. */
export class SegmentSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const parts = (this.rest + chunk).split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    return parts;
  }

  flush(): string[] {
    const last = this.rest;
    this.rest = '';
    return last ? [last] : [];
  }
}

/** What has been seen of the job's stages so far. */
export class SparkProgress {
  private current: StageProgress[] = [];
  private readonly finished = new Set<number>();
  private readonly seen = new Set<number>();

  /** Takes one segment of stderr; true when it was the bar or its clearing. */
  update(segment: string): boolean {
    if (!isProgressBar(segment)) return false;
    const stages = parseProgressBar(segment);
    // A stage that leaves the bar has ended; the bar is cleared (no stages) when none is running.
    for (const stage of this.current) if (!stages.some((s) => s.stage === stage.stage)) this.finished.add(stage.stage);
    for (const stage of stages) this.seen.add(stage.stage);
    this.current = stages;
    return true;
  }

  /** One line: time so far, each running stage's tasks, and how many stages have ended. */
  render(elapsedSeconds: number): string {
    const parts = [`local Spark job ${formatDuration(elapsedSeconds)}`];
    for (const s of this.current) {
      parts.push(`stage ${s.stage}: ${s.done}/${s.total} tasks${s.running > 0 ? ` (${s.running} running)` : ''}`);
    }
    if (this.finished.size > 0) parts.push(`${this.finished.size} stage${this.finished.size === 1 ? '' : 's'} done`);
    if (this.seen.size === 0) parts.push('starting Spark');
    return parts.join(' · ');
  }
}
