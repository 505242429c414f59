import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempFolders } from './support/harness.js';
import { RAW_DATA_DIR } from './support/paths.js';

/** Data rows (header excluded) in every gzip CSV under the raw flights folder. */
function rawFlightRows(dir: string): number {
  let rows = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) rows += rawFlightRows(full);
    else if (name.endsWith('.csv.gz')) rows += gunzipSync(readFileSync(full)).toString('utf8').trimEnd().split('\n').length - 1;
  }
  return rows;
}

function runDemo(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/demo.sh'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('make demo', () => {
  // The demo starts and stops its own emulator (scripts/demo.sh), as `make demo` does.
  const temp = useTempFolders();
  let work: string;

  beforeAll(() => {
    work = temp.dir('demo-test');
  });

  it('runs the whole pipeline over the real raw data, accounts for every row, and leaves nothing behind', async () => {
    const summaryFile = path.join(work, 'summary.json');
    const reportFile = path.join(work, 'report.html');
    const { code, output } = await runDemo({ DEMO_SUMMARY: summaryFile, DEMO_REPORT: reportFile });
    expect(code, output).toBe(0);

    const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
    const expectedRows = rawFlightRows(path.join(RAW_DATA_DIR, 'flights'));
    expect(summary.run.rows.read).toBe(expectedRows);
    expect(summary.run.rows.written + summary.run.rows.rejected).toBe(expectedRows);
    const byReason = Object.values(summary.run.rejected_by_reason as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(byReason).toBe(summary.run.rows.rejected);
    // The report read back from the bucket tells the same numbers the job counted.
    const headline = summary.report.headline;
    expect(summary.report.out).toBe(reportFile);
    expect(headline.rowsRead).toBe(expectedRows);
    expect(headline.rowsUsed).toBe(summary.run.rows.written);
    expect(headline.rowsQuarantined).toBe(summary.run.rows.rejected);
    const html = readFileSync(reportFile, 'utf8');
    expect(html).toContain('Most delayed routes');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(5);

    const after = summary.status_after_teardown;
    expect(after.resources.filter((r: { exists: boolean }) => r.exists)).toEqual([]);
    expect(after.triggers.filter((t: { exists: boolean }) => t.exists)).toEqual([]);
    expect(after.objects).toEqual({
      raw: { objects: 0, bytes: 0 },
      scripts: { objects: 0, bytes: 0 },
      processed: { objects: 0, bytes: 0 },
    });
    expect(output).toContain(reportFile);
    expect(output).toContain(`rows read ${expectedRows.toLocaleString('en-US')}`);
  }, 30 * 60_000);

  it('leaves nothing behind when a step fails: emulator stopped, scratch files removed', async () => {
    const scratch = path.join(work, 'tmp');
    mkdirSync(scratch);
    const { code, output } = await runDemo({ PROVISIONER_SCHEDULE: 'not-a-schedule', TMPDIR: scratch });
    expect(code, output).toBe(2);
    expect(output).toContain('invalid --schedule "not-a-schedule"');
    expect(readdirSync(scratch)).toEqual([]);
    const port = Number(/emulator on 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    expect(port).toBeGreaterThan(0);
    expect(await isListening(port)).toBe(false);
  });
});

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
