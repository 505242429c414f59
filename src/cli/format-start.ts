import type { StartStatus } from '../stack/start-status.js';

/** The lines `status` prints of how the stack starts. */
export function formatStartStatus(start: StartStatus): string[] {
  if (start.on === 'none') return ['  starts on: nothing (no start trigger: run provisioner up)'];
  if (start.on === 'schedule') return [`  starts on: schedule ${start.schedule ?? ''}`.trimEnd()];
  const run = start.lastArrivalRun;
  return [
    `  starts on: arrival of ${start.marker} (or a ${start.marker?.split('/').pop()} below raw/)`,
    `    marker last written: ${start.markerWrittenOn ?? 'never'}`,
    `    last run an arrival started: ${run ? `${run.id} at ${run.startedOn ?? '-'}` : 'none among the runs listed'}`,
  ];
}
