/** Athena's words: how it counts the bytes a query scans, and the limits it takes. */

/**
 * Athena counts a megabyte as 10^6 bytes: its least per-query limit, "10 MB", is 10,000,000 bytes
 * in its API (BytesScannedCutoffPerQuery), and it bills by the decimal terabyte.
 */
export const BYTES_PER_MB = 1_000_000;

/** Athena refuses a per-query scan limit below 10 MB. */
export const LEAST_SCAN_LIMIT_MB = 10;

/** A petabyte: a query allowed to scan more is not limited in any sense that matters (it would bill $5,000). */
export const MOST_SCAN_LIMIT_MB = 1_000_000_000;
