import type { Settings } from '../core/settings.js';
import type { TransferLimits } from './upload.js';

const MIB = 1024 * 1024;

/**
 * Part size of multipart uploads: S3's 5 MiB minimum would mean more requests per byte; larger
 * parts hold more memory per request in flight. 8 MiB is what the AWS CLI uses as well.
 */
export const PART_BYTES = 8 * MIB;

export function transferLimits(settings: Pick<Settings, 'maxRequests' | 'maxMemoryMib' | 'multipartThresholdMib'>): TransferLimits {
  return {
    requests: settings.maxRequests,
    memoryBytes: settings.maxMemoryMib * MIB,
    partBytes: PART_BYTES,
    multipartBytes: settings.multipartThresholdMib * MIB,
  };
}
