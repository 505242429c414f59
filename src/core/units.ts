/** One way to write each unit, wherever a figure reaches a person. */

const DOLLARS = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * Dollars to the cent ("$0.40", "$1,234.50"); below ten cents to two significant digits, so that a
 * short run does not read $0.00.
 */
export function formatUsd(value: number): string {
  return value > 0 && value < 0.1 ? `$${value.toPrecision(2)}` : DOLLARS.format(value);
}

/** Seconds as "42s", "3m05s" or "1h02m". */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * Bytes in binary units. `fixed` (the default) always shows one decimal past bytes, "5.0 MiB", for
 * figures redrawn in place (the progress line) or lined up in a column; `short` drops what adds
 * nothing, "700 MiB", "1.2 GiB", "5 MiB": one decimal only below 10 of a unit, for prose and pages.
 */
export function formatBytes(bytes: number, style: 'fixed' | 'short' = 'fixed'): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (style === 'fixed') return `${unit === 0 ? value : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
  const shown = unit === 0 || value >= 10 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${BYTE_UNITS[unit]}`;
}
