import type { PipelineRunOutcome, PipelineRunStarted } from '../commands/run.js';
import type { TeardownResult } from '../commands/teardown.js';
import { AUTO_WORKERS, BYTES_PER_WORKER, type WorkerChoice } from '../resources/job.js';
import type { PlannedChange } from '../resources/resource.js';
import type { RunReportStatus, RunStatus, RunUsage, StatusReport } from '../stack/status.js';
import type { CostEstimate } from '../stack/cost.js';
import type { CostCeiling, RunCeiling } from '../stack/cost-ceiling.js';
import { formatAlerts } from './format-alerts.js';
import { formatStartStatus } from './format-start.js';
import { formatContractSummary } from './format-contract.js';
import type { ContractCheck } from '../contract/check.js';
import { formatBytes, formatDuration, formatUsd } from '../core/units.js';
import { formatSpark } from './run-report.js';
import { headlineLines } from '../report/summary.js';
import type { ReportResult } from '../commands/report.js';
import type { UnlockResult } from '../commands/unlock.js';
import type { ExportResult } from '../transfer/export.js';

const SYMBOL: Record<PlannedChange['action'], string> = { create: '+', update: '~', delete: '-', 'no-op': '=' };

/**
 * `plan` and `up` results as a table, terraform-style: + create, ~ update, - delete, = no change;
 * then what the data contract found, the job's worker count and why, and the estimated cost of one run.
 */
export function formatChanges({
  changes,
  dryRun,
  cost,
  workers,
  ceiling,
  marker,
  contract,
}: {
  changes: readonly PlannedChange[];
  dryRun: boolean;
  cost?: CostEstimate | undefined;
  workers?: WorkerChoice;
  ceiling?: CostCeiling | undefined;
  marker?: string | undefined;
  contract?: ContractCheck | null;
}): string {
  const lines = changes.map((c) => {
    const details = c.details.length > 0 ? `  (${summarizeDetails(c.details)})` : '';
    return `${SYMBOL[c.action]} ${c.action.padEnd(6)} ${c.kind.padEnd(9)} ${c.name}${details}`;
  });
  const count = (action: PlannedChange['action']) => changes.filter((c) => c.action === action).length;
  // Deletions happen only when the settings turned a feature off: not worth a "0 deleted" otherwise.
  const deletions = (words: string) => (count('delete') > 0 ? `${count('delete')} ${words}, ` : '');
  lines.push(
    '',
    dryRun
      ? `Plan: ${count('create')} to create, ${count('update')} to update, ${deletions('to delete')}${count('no-op')} unchanged. Nothing was changed.`
      : `Applied: ${count('create')} created, ${count('update')} updated, ${deletions('deleted')}${count('no-op')} unchanged.`,
  );
  if (marker) {
    lines.push('', dryRun ? `Would write ${marker} after the upload: its arrival starts a run.` : `Wrote ${marker} after the upload: its arrival starts a run.`);
  }
  if (contract) lines.push('', formatContractSummary(contract));
  if (workers) lines.push('', formatWorkers(workers, cost?.job.workerType));
  if (cost) lines.push('', formatCost(cost));
  if (ceiling) lines.push(formatCeiling(ceiling, cost));
  return lines.join('\n');
}

/**
 * "worker type: G.1X, workers: 4 (auto: 700 MiB of raw data, one per 256 MiB plus the driver; set
 * --workers to change)", or "(--workers)" when given.
 */
export function formatWorkers(choice: WorkerChoice, workerType?: string): string {
  const type = workerType ? `worker type: ${workerType}, ` : '';
  if (choice.from === 'setting') return `${type}workers: ${choice.count} (--workers)`;
  const wanted = 1 + Math.ceil(choice.rawBytes / BYTES_PER_WORKER);
  const bound = wanted < choice.count ? `, at least ${AUTO_WORKERS.min}` : wanted > choice.count ? `, at most ${AUTO_WORKERS.max}` : '';
  return (
    `${type}workers: ${choice.count} (auto: ${formatBytes(choice.rawBytes, 'short')} of raw data, one per ${formatBytes(BYTES_PER_WORKER, 'short')} plus the driver${bound};` +
    ' set --workers to change)'
  );
}

const MINUTES_FROM: Record<CostEstimate['job']['minutesFrom'], string> = {
  setting: '--expected-minutes',
  'last-run': 'the last successful run',
  assumed: 'assumed; set --expected-minutes',
};

/** The estimate of one run, line by line, so the figures can be checked by hand. */
export function formatCost(cost: CostEstimate): string {
  const { job, crawler } = cost;
  const rate = (part: { usdPerDpuHour: number | null; usd: number | null; noPrice?: string }): string =>
    part.usd === null || part.usdPerDpuHour === null ? `: ${part.noPrice ?? 'no price'}` : ` x $${part.usdPerDpuHour} = ${formatUsd(part.usd)}`;
  const minimum = job.billedSeconds > Math.ceil(job.minutes * 60) ? `, billed as ${job.billedSeconds / 60} min, the minimum` : '';
  const crawlFrom = crawler.dpuHoursFrom === 'last-crawl' ? 'as the last crawl used' : 'assumed: 2 DPU for the 10-minute minimum';
  const total = cost.totalUsd === null ? 'unknown' : `${formatUsd(cost.totalUsd)}${cost.complete ? '' : job.usd === null ? ' (crawler only)' : ' (job only)'}`;
  return [
    `Estimated cost of one run (an estimate, USD, ${cost.region}; ${cost.priceTable}):`,
    `  job      Glue ${job.glueVersion}, ${job.workers} x ${job.workerType} = ${job.dpus} DPU ${job.executionClass}, ${formatMinutes(job.minutes)} min (${MINUTES_FROM[job.minutesFrom]})${minimum}` +
      ` = ${job.dpuHours} DPU-hours${rate(job)}`,
    `  crawler  ${crawler.dpuHours} DPU-hours (${crawlFrom})${rate(crawler)}`,
    `  total    ${total}`,
  ].join('\n');
}

/** The ceiling beside the estimate: the timeout it sets, and whether the estimated run fits in it. */
export function formatCeiling(ceiling: CostCeiling, cost?: CostEstimate): string {
  const line =
    `  ceiling  ${formatUsd(ceiling.maxUsd)} a job run (--max-usd): job timeout ${ceiling.timeoutMinutes} min` +
    ` at ${formatUsd(ceiling.usdPerMinute)} a minute, at most ${formatUsd(ceiling.mostUsd)}`;
  const estimated = cost?.job.minutes;
  if (estimated === undefined || estimated <= ceiling.timeoutMinutes) return line;
  return `${line}; the estimated ${formatMinutes(estimated)} min run would be stopped at it`;
}

function formatMinutes(minutes: number): string {
  return Number.isInteger(minutes) ? String(minutes) : minutes.toFixed(1);
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
  if (report.start) lines.push('', ...formatStartStatus(report.start));
  if (report.alerts) lines.push('', ...formatAlerts(report.alerts));
  lines.push('');
  lines.push(...formatRuns('workflow runs', report.workflowRuns));
  lines.push(...formatRuns('crawls', report.crawls));
  lines.push(...formatRuns('job runs', report.jobRuns));
  if (report.crawls.some((c) => c.costUsd !== null) || report.jobRuns.some((r) => r.costUsd !== null)) {
    lines.push(`  (costs are estimates: ${report.priceTable})`);
  }
  if (report.lastRunReport) lines.push(...formatLastRunReport(report.lastRunReport));
  lines.push('');
  for (const [prefix, summary] of Object.entries(report.objects)) {
    lines.push(`  ${`${prefix}/`.padEnd(11)} ${String(summary.objects).padStart(6)} objects  ${formatBytes(summary.bytes)}`);
  }
  return lines.join('\n');
}

/** The newest run report: where it is and when its run started, then what Spark measured. */
function formatLastRunReport(report: RunReportStatus): string[] {
  const started = report.startedAt ? `, run started ${report.startedAt}` : '';
  const spark = report.spark ? formatSpark(report.spark) : ['spark: not in this report (written by a job version before Spark figures)'];
  return [`  last run report (${report.location}${started}):`, ...[...spark, ...formatDrift(report)].map((line) => `    ${line}`)];
}

/** The drifted features of the run's quarters, worst first (at most five named). */
function formatDrift({ drifted, driftThreshold }: RunReportStatus): string[] {
  if (drifted === null || drifted === undefined) return [];
  if (drifted.length === 0) return [`drift: no feature above PSI ${driftThreshold} (--drift-threshold)`];
  const named = drifted.slice(0, 5).map((d) => `${d.feature} ${d.year} Q${d.quarter} ${d.psi.toFixed(2)}`);
  const more = drifted.length > 5 ? `, and ${drifted.length - 5} more` : '';
  return [`drift: ${drifted.length} feature${drifted.length === 1 ? '' : 's'} above PSI ${driftThreshold} (--drift-threshold): ${named.join(', ')}${more}`];
}

type ListedRun = RunStatus & Partial<RunUsage> & { ceiling?: RunCeiling | null };

/** A heading, then one line per run, newest first: state, start, duration, DPU-seconds, cost, ceiling, error. */
function formatRuns(title: string, runs: readonly ListedRun[]): string[] {
  if (runs.length === 0) return [`  ${title}: none`];
  return [`  ${title}:`, ...runs.map((run) => `    ${formatRun(run)}`)];
}

function formatRun(run: ListedRun): string {
  const fields = [
    run.state.padEnd(9),
    run.startedOn ?? '-',
    run.durationSeconds === null ? '-' : formatDuration(run.durationSeconds),
    ...(run.dpuSeconds === undefined ? [] : [run.dpuSeconds === null ? '-' : `${Math.round(run.dpuSeconds)} DPU-s`]),
    ...(run.costUsd === undefined ? [] : [run.costUsd === null ? '-' : formatUsd(run.costUsd)]),
    ...(run.ceiling ? [formatRunCeiling(run.ceiling)] : []),
  ];
  // Glue error messages can span lines; a run is one line here.
  const error = run.error ? `  ${run.error.replace(/\s*\n\s*/g, ' ')}` : '';
  return `${fields.join('  ')}${error}`;
}

/**
 * "of ceiling $0.50 (--max-usd, 34 min)" or "of ceiling $1.76 (its 120 min timeout)", and when Glue
 * stopped the run there, which of the two stopped it.
 */
export function formatRunCeiling(ceiling: RunCeiling): string {
  if (ceiling.maxUsd !== null) {
    return `of ceiling ${formatUsd(ceiling.maxUsd)} (--max-usd, ${ceiling.timeoutMinutes} min)${ceiling.hit ? ', stopped by the cost ceiling' : ''}`;
  }
  const stopped = ceiling.hit ? ', stopped at its timeout' : '';
  if (ceiling.usd === null) return `ceiling: its ${ceiling.timeoutMinutes} min timeout (no price)${stopped}`;
  return `of ceiling ${formatUsd(ceiling.usd)} (its ${ceiling.timeoutMinutes} min timeout)${stopped}`;
}

export function formatTeardown({ deleted, leftAlone }: TeardownResult): string {
  return [
    ...deleted.map((n) => `- deleted  ${n}`),
    ...leftAlone.map((n) => `! skipped  ${n} (not created by this stack)`),
    '',
    `Teardown: ${deleted.length} deleted, ${leftAlone.length} left alone.`,
  ].join('\n');
}

export function formatRunStarted({ runId, alreadyRunning, links }: PipelineRunStarted): string {
  return [`run ${runId}${alreadyRunning ? ' (already in progress)' : ''}`, ...links].join('\n');
}

export function formatRunOutcome({ message, links }: PipelineRunOutcome): string {
  return [message, ...links].join('\n');
}

export function formatExport(result: ExportResult): string {
  const counts = result.parts.map((part) => `${part} ${result.files[part] ?? 0}`).join(', ');
  return [
    `Exported ${result.from} to ${result.to}`,
    `  files:       ${counts}`,
    `  transferred: ${result.transferred} (${formatBytes(result.bytesTransferred)}), unchanged ${result.unchanged}, removed ${result.removed}`,
  ].join('\n');
}

/** `id`: the lock ID the person gave, named when there was no lock to remove. */
export function formatUnlock(result: UnlockResult, id: string): string {
  return result.removed ? `Unlocked stack ${result.stack} (lock ${result.removed.id})` : `Stack ${result.stack} was not locked: there is no lock ${id} to remove`;
}

/** The page written, then the headline figures of the quarter. */
export function formatReport({ out, headline }: ReportResult): string {
  return [out, ...headlineLines(headline)].join('\n');
}
