import path from 'node:path';
import { formatBadRowLimit } from '../config/contract-values.js';
import { describeProblem, describeRefusal, type ContractCheck, type FileCheck } from '../contract/check.js';
import { shownPath } from '../commands/data-check.js';

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * `check` as text: one line per file (rows, bad rows, what the limit allows), the first problem of
 * each file with any, then the verdict. `plan` and `up` show only the summary line.
 */
export function formatContractCheck(check: ContractCheck, dataDir: string): string {
  const limit = formatBadRowLimit(check.maxBadRows);
  const width = Math.max(...check.files.map((f) => f.file.length), 4);
  const lines = check.files.map((file) => `${file.refused ? '✗' : '✓'} ${file.file.padEnd(width)}  ${fileFigures(file)}`);
  for (const file of check.files) {
    if (file.refused) lines.push('', describeRefusal(file, shownPath(path.join(dataDir, file.file)), limit));
    else if (file.problems[0]) lines.push('', `${file.file}: ${file.badRows} within --max-bad-rows ${limit}; the first, ${describeProblem(file.problems[0])}`);
  }
  lines.push('', formatContractSummary(check));
  return lines.join('\n');
}

function fileFigures(file: FileCheck): string {
  if (file.unreadable) return `refused: ${file.unreadable.rule}`;
  return `${count(file.rows)} rows, ${count(file.badRows)} bad (${count(file.allowedBadRows)} allowed)`;
}

/** One paragraph: what was checked against what, and what the job will quarantine for it. */
export function formatContractSummary(check: ContractCheck): string {
  const limit = formatBadRowLimit(check.maxBadRows);
  const files = check.files.length === 1 ? '1 file' : `${check.files.length} files`;
  const lines = [`Data contract ${shownPath(check.contract)}: ${files}, ${count(check.rows)} rows checked.`];
  if (check.refused > 0) {
    lines.push(`${check.refused} of them ${check.refused === 1 ? 'breaks' : 'break'} it beyond --max-bad-rows ${limit}: nothing may be uploaded.`);
  } else if (check.badRows > 0) {
    const rows = check.badRows === 1 ? '1 row breaks' : `${count(check.badRows)} rows break`;
    lines.push(`${rows} it, within --max-bad-rows ${limit}: uploaded, and the job quarantines ${check.badRows === 1 ? 'it' : 'them'} (rejected/), with any repeated rows.`);
  } else {
    lines.push('Every row keeps it; the job quarantines only repeated rows, which it finds across files.');
  }
  if (check.unchecked.length > 0) lines.push(`No table of the contract, uploaded unchecked: ${check.unchecked.join(', ')}.`);
  if (check.uncheckedForeignKeys.length > 0) lines.push(`Not checked, as the table they refer to has no file here: ${check.uncheckedForeignKeys.join(', ')}.`);
  return lines.join('\n');
}
