import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { StackContext } from '../core/context.js';
import { PREFIX, s3Uri } from '../core/names.js';
import { arrivalMarkerKey } from '../resources/arrival.js';
import type { PlannedChange } from '../resources/resource.js';

/**
 * With --start-on arrival, whether this `up` delivers: it sends (or, as a plan, would send) at least
 * one file under raw/. An `up` with the data already there writes no marker, so it starts no run.
 */
export function deliversData(ctx: Pick<StackContext, 'names' | 'settings'>, changes: readonly PlannedChange[], dataFiles: number): boolean {
  if (ctx.settings.startOn !== 'arrival') return false;
  const raw = changes.find((c) => c.kind === 'objects' && c.name === s3Uri(ctx.names.bucket, PREFIX.raw));
  if (raw?.action === 'create') return dataFiles > 0;
  return raw?.action === 'update' && raw.details.some((detail) => detail.startsWith('upload '));
}

/**
 * Writes the delivery's marker: called once `up` has converged everything, so every file of the
 * delivery is in and the rule and trigger that start the run exist before the event does. An empty
 * object; S3's "Object Created" event for it is what starts the run.
 */
export async function writeArrivalMarker(ctx: StackContext): Promise<string> {
  const Key = arrivalMarkerKey(ctx.settings);
  await ctx.aws.s3.send(new PutObjectCommand({ Bucket: ctx.names.bucket, Key, Body: '', ContentType: 'text/plain' }), { abortSignal: ctx.signal });
  ctx.logger.info(`wrote ${s3Uri(ctx.names.bucket, Key)}: the delivery is complete`);
  return Key;
}
