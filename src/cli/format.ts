import type { RunOutcome, RunStarted } from '../commands/run.js';
import type { TeardownResult } from '../commands/teardown.js';
import type { PlannedChange } from '../resources/resource.js';
import type { StatusReport } from '../stack/status.js';
import { formatBytes } from './progress.js';

const SYMBOL: Record<PlannedChange['action'], string> = { create: '+', update: '~', 'no-op': '=' };

/** `plan` and `up` results as a table, terraform-style: + create, ~ update, = no change. */
export function formatChanges({ changes, dryRun }: { changes: readonly PlannedChange[]; dryRun: boolean }): string {
  const lines = changes.map((c) => {
    const details = c.details.length > 0 ? `  (${summarizeDetails(c.details)})` : '';
    return `${SYMBOL[c.action]} ${c.action.padEnd(6)} ${c.kind.padEnd(9)} ${c.name}${details}`;
  });
  const count = (action: PlannedChange['action']) => changes.filter((c) => c.action === action).length;
  lines.push(
    '',
    dryRun
      ? `Plan: ${count('create')} to create, ${count('update')} to update, ${count('no-op')} unchanged. Nothing was changed.`
      : `Applied: ${count('create')} created, ${count('update')} updated, ${count('no-op')} unchanged.`,
  );
  return lines.join('\n');
}

function summarizeDetails(details: readonly string[]): string {
  // Uploads can list hundreds of files: show a few and count the rest.
  const shown = details.slice(0, 4).join(', ');
  return details.length > 4 ? `${shown}, and ${details.length - 4} more` : shown;
}

export function formatStatus(report: StatusReport): string {
  const lines = [`Stack ${report.stack} in ${report.account} ${report.region}`, ''];
  for (const r of report.resources) {
    lines.push(`  ${r.kind.padEnd(9)} ${r.name.padEnd(48)} ${r.exists ? (r.state ?? 'exists') : 'missing'}`);
  }
  for (const t of report.triggers) {
    const state = t.exists ? `${t.state ?? ''} ${t.type ?? ''} ${t.schedule ?? ''}`.trim() : 'missing';
    lines.push(`  ${'trigger'.padEnd(9)} ${t.name.padEnd(48)} ${state}`);
  }
  lines.push('');
  lines.push(`  last workflow run: ${formatRun(report.lastWorkflowRun)}`);
  lines.push(`  last job run:      ${formatRun(report.lastJobRun)}`);
  lines.push('');
  for (const [prefix, summary] of Object.entries(report.objects)) {
    lines.push(`  ${`${prefix}/`.padEnd(11)} ${String(summary.objects).padStart(6)} objects  ${formatBytes(summary.bytes)}`);
  }
  return lines.join('\n');
}

function formatRun(run: StatusReport['lastJobRun']): string {
  if (!run) return 'none';
  const duration = run.durationSeconds === null ? '' : `, ${run.durationSeconds} s`;
  const error = run.error ? ` (${run.error})` : '';
  return `${run.state} ${run.startedOn ?? ''}${duration}${error}`.replace(/\s+/g, ' ').trim();
}

export function formatTeardown({ deleted, leftAlone }: TeardownResult): string {
  return [
    ...deleted.map((n) => `- deleted  ${n}`),
    ...leftAlone.map((n) => `! skipped  ${n} (not created by this stack)`),
    '',
    `Teardown: ${deleted.length} deleted, ${leftAlone.length} left alone.`,
  ].join('\n');
}

export function formatRunStarted({ runId, alreadyRunning, links }: RunStarted): string {
  return [`run ${runId}${alreadyRunning ? ' (already in progress)' : ''}`, ...links].join('\n');
}

export function formatRunOutcome({ message, links }: RunOutcome): string {
  return [message, ...links].join('\n');
}
