/** Limits AWS sets on a request, named once for every caller. */

/** S3 rejects a DeleteObjects request with more keys than this. */
export const DELETE_BATCH_LIMIT = 1000;
