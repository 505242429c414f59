/**
 * The page in a real browser: Debian's chromium, headless, takes a screenshot, and each chart's
 * area must hold chart colours. Skipped, with the reason printed, where no chromium is installed.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { buildReport, DirectorySource } from '../../../src/report/index.js';
import { FIXTURE } from './support.js';

const run = promisify(execFile);

/** $CHROMIUM, else the first of Debian's and other usual names on PATH. */
function findChromium(): string | undefined {
  const names = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
  const candidates = [
    ...(process.env.CHROMIUM ? [process.env.CHROMIUM] : []),
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).flatMap((dir) => names.map((name) => path.join(dir, name))),
  ];
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const chromium = findChromium();
const SKIP_REASON = 'no chromium binary on PATH (install it with `apt-get install chromium`, or set CHROMIUM)';
if (!chromium) console.warn(`report browser test skipped: ${SKIP_REASON}`);

const WIDTH = 1200;
// Tall enough for the whole fixture page: a headless screenshot holds only the window.
const HEIGHT = 4000;
const PROBE_X = 36; // inside every card's left padding (main's content starts at x = 30)

interface Image {
  width: number;
  height: number;
  pixel(x: number, y: number): [number, number, number];
}

function decode(buffer: Buffer): Image {
  const png = PNG.sync.read(buffer);
  return {
    width: png.width,
    height: png.height,
    pixel: (x, y) => {
      const at = (png.width * y + x) * 4;
      return [png.data[at] ?? 0, png.data[at + 1] ?? 0, png.data[at + 2] ?? 0];
    },
  };
}

/** White bands down the probe column (cards: headline, figures, table rows) as [top, bottom) rows. */
function whiteRuns(image: Image): [number, number][] {
  const runs: [number, number][] = [];
  let start = -1;
  for (let y = 0; y <= image.height; y += 1) {
    const white = y < image.height && image.pixel(PROBE_X, y).every((channel) => channel === 255);
    if (white && start < 0) start = y;
    if (!white && start >= 0) {
      if (y - start >= 40) runs.push([start, y]);
      start = -1;
    }
  }
  return runs;
}

/** Pixels of clear colour (bars, cells, lines) and the number of distinct such colours in a band. */
function colour(image: Image, [top, bottom]: [number, number]): { pixels: number; distinct: number } {
  let pixels = 0;
  const seen = new Set<number>();
  for (let y = top; y < bottom; y += 1) {
    for (let x = 30; x < image.width - 30; x += 1) {
      const [r, g, b] = image.pixel(x, y);
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) {
        pixels += 1;
        seen.add((r << 16) | (g << 8) | b);
      }
    }
  }
  return { pixels, distinct: seen.size };
}

/** Pixels within a few steps of one colour in a band. */
function pixelsOf(image: Image, [top, bottom]: [number, number], [r0, g0, b0]: [number, number, number]): number {
  let pixels = 0;
  for (let y = top; y < bottom; y += 1) {
    for (let x = 30; x < image.width - 30; x += 1) {
      const [r, g, b] = image.pixel(x, y);
      if (Math.abs(r - r0) + Math.abs(g - g0) + Math.abs(b - b0) <= 12) pixels += 1;
    }
  }
  return pixels;
}

describe('the report in headless chromium', () => {
  it.skipIf(!chromium)(
    chromium ? 'renders every chart with colour in its area' : `renders every chart (skipped: ${SKIP_REASON})`,
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'report-browser-'));
      try {
        const { html, charts } = await buildReport(new DirectorySource(FIXTURE), {
          runs: [
            { id: 'jr_newer', startedOn: '2024-04-10T02:00:00Z', durationSeconds: 754.2, costUsd: 0.44, ceiling: { usd: 0.44, from: 'max-usd', timeoutMinutes: 13, hit: true } },
            { id: 'jr_older', startedOn: '2024-01-05T02:00:00Z', durationSeconds: 600, costUsd: 0.35, ceiling: { usd: 1.76, from: 'timeout', timeoutMinutes: 120, hit: false } },
          ],
          generatedAt: new Date('2024-04-11T08:30:00Z'),
        });
        expect(charts.every((chart) => chart.spec !== null)).toBe(true);
        const page = path.join(dir, 'report.html');
        const png = path.join(dir, 'report.png');
        await writeFile(page, html);
        await run(
          chromium as string,
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--hide-scrollbars',
            `--user-data-dir=${path.join(dir, 'profile')}`,
            `--screenshot=${png}`,
            `--window-size=${WIDTH},${HEIGHT}`,
            pathToFileURL(page).href,
          ],
          { timeout: 60_000 },
        );
        const image = decode(await readFile(png));
        expect([image.width, image.height]).toEqual([WIDTH, HEIGHT]);

        if (process.env.REPORT_SCREENSHOT) await copyFile(png, process.env.REPORT_SCREENSHOT);

        // The headline cards are short and the table's rows are split by their borders: the tall
        // white bands are the six figures. The page ends before the window does.
        const cards = whiteRuns(image);
        const figures = cards.filter(([top, bottom]) => bottom - top >= 150);
        expect(figures, JSON.stringify(cards)).toHaveLength(6);
        figures.forEach((band, index) => {
          const id = charts[index]?.id;
          const { pixels, distinct } = colour(image, band);
          expect(pixels, `${id}: coloured pixels`).toBeGreaterThan(2_000);
          expect(distinct, `${id}: distinct colours`).toBeGreaterThan(3);
        });
        // The drift above --drift-threshold (delay_minutes in 2024 Q1) is a red cell in the drift chart's band.
        const drift = figures[charts.findIndex((chart) => chart.id === 'drift')]!;
        expect(pixelsOf(image, drift, [0xe4, 0x57, 0x56]), 'red cells in the drift chart').toBeGreaterThan(500);
        // Below the last card only the page background is left.
        const below = cards.at(-1)?.[1] ?? 0;
        expect(colour(image, [below, image.height]).pixels).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
