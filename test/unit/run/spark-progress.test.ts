import { describe, expect, it } from 'vitest';
import { SegmentSplitter, SparkProgress, isProgressBar, parseProgressBar } from '../../../src/run/spark-progress.js';

// What Spark 3.5's console progress bar writes on stderr (captured from pyspark 3.5.4, local[2]).
const BAR = (stage: number, done: number, running: number, total: number, fill = '===>') =>
  `[Stage ${stage}:${fill}${' '.repeat(40)}(${done} + ${running}) / ${total}]`;
const CLEAR = ' '.repeat(80);

describe('parseProgressBar', () => {
  it('reads stage, tasks done, running and total from one bar', () => {
    expect(parseProgressBar('[Stage 3:==========>                                               (3 + 2) / 16]')).toEqual([
      { stage: 3, done: 3, running: 2, total: 16 },
    ]);
  });

  it('reads the stages Spark shows side by side, and a bar too narrow for its arrow', () => {
    expect(parseProgressBar(`${BAR(4, 10, 4, 200)}${BAR(5, 0, 0, 100, '>')}[Stage 6:(1 + 1) / 8]`)).toEqual([
      { stage: 4, done: 10, running: 4, total: 200 },
      { stage: 5, done: 0, running: 0, total: 100 },
      { stage: 6, done: 1, running: 1, total: 8 },
    ]);
  });

  it('finds nothing in a log line', () => {
    expect(parseProgressBar('25/11/23 20:10:01 WARN NativeCodeLoader: Unable to load native-hadoop library')).toEqual([]);
  });
});

describe('isProgressBar', () => {
  it('is the bar or the line of spaces that clears it, never a log line or an empty segment', () => {
    expect(isProgressBar(BAR(0, 1, 3, 16))).toBe(true);
    expect(isProgressBar(CLEAR)).toBe(true);
    expect(isProgressBar('')).toBe(false);
    expect(isProgressBar('py4j.protocol.Py4JJavaError: An error occurred while calling o42.save [Stage 3]')).toBe(false);
  });
});

describe('SegmentSplitter', () => {
  it('splits on the carriage returns Spark redraws with and on newlines, keeping a partial segment', () => {
    const splitter = new SegmentSplitter();
    expect(splitter.push(`\r${BAR(0, 0, 2, 16)}\r\r[Stage 0:=`)).toEqual(['', BAR(0, 0, 2, 16), '']);
    expect(splitter.push(`=> (1 + 2) / 16]\rWARN a log line\nlast`)).toEqual(['[Stage 0:==> (1 + 2) / 16]', 'WARN a log line']);
    expect(splitter.flush()).toEqual(['last']);
    expect(splitter.flush()).toEqual([]);
  });
});

describe('SparkProgress', () => {
  it('says Spark is starting until the first bar', () => {
    expect(new SparkProgress().render(4)).toBe('local Spark job 4s · starting Spark');
  });

  it('shows the running stages with their task counts, and counts the stages that ended', () => {
    const progress = new SparkProgress();
    expect(progress.update(BAR(0, 13, 3, 16))).toBe(true);
    expect(progress.render(65)).toBe('local Spark job 1m05s · stage 0: 13/16 tasks (3 running)');
    progress.update(CLEAR);
    expect(progress.render(70)).toBe('local Spark job 1m10s · 1 stage done');
    progress.update(`${BAR(3, 15, 1, 16)}${BAR(4, 0, 0, 8, '>')}`);
    progress.update(BAR(4, 2, 2, 8));
    expect(progress.render(90)).toBe('local Spark job 1m30s · stage 4: 2/8 tasks (2 running) · 2 stages done');
  });

  it('ignores log lines and empty segments, which leave the view as it was', () => {
    const progress = new SparkProgress();
    progress.update(BAR(1, 5, 2, 10));
    expect(progress.update('')).toBe(false);
    expect(progress.update('INFO FileOutputCommitter: Saved output of task')).toBe(false);
    expect(progress.render(1)).toBe('local Spark job 1s · stage 1: 5/10 tasks (2 running)');
  });

  it('renders what Spark wrote, fed chunk by chunk as stderr delivers it', () => {
    const captured =
      `\r${BAR(0, 0, 0, 16, '>')}\r\r${BAR(0, 13, 3, 16)}\r\r${CLEAR}\r` + `WARN something\n\r${BAR(3, 6, 2, 16)}\r`;
    const splitter = new SegmentSplitter();
    const progress = new SparkProgress();
    const logged: string[] = [];
    for (let i = 0; i < captured.length; i += 7) {
      for (const segment of splitter.push(captured.slice(i, i + 7))) if (!progress.update(segment) && segment.trim()) logged.push(segment);
    }
    expect(logged).toEqual(['WARN something']);
    expect(progress.render(12)).toBe('local Spark job 12s · stage 3: 6/16 tasks (2 running) · 1 stage done');
  });
});
