import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./match_event_pattern.py', import.meta.url));
const venvPython = fileURLToPath(new URL('../../.venv/bin/python', import.meta.url));

/** Which of the events the EventBridge pattern matches, decided by moto's matcher (match_event_pattern.py). */
export function matchesWithMoto(pattern: unknown, events: readonly unknown[]): boolean[] {
  const python = existsSync(venvPython) ? venvPython : 'python3';
  const run = spawnSync(python, [script], { input: JSON.stringify({ pattern, events }), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`moto's pattern matcher failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as boolean[];
}

/** S3's "Object Created" event as it reaches EventBridge (S3's user guide, and moto's s3/notifications.py). */
export function objectCreatedEvent(bucket: string, key: string, detailType = 'Object Created'): Record<string, unknown> {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': detailType,
    source: 'aws.s3',
    account: '123456789012',
    time: '2025-04-02T09:30:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: 0, etag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '617f08299329d189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '1.2.3.4',
      reason: 'PutObject',
    },
  };
}
