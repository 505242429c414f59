/** Numbers and names as the page and the terminal show them. */

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 1234567 -> "1,234,567". */
export function formatCount(value: number): string {
  return COUNT.format(value);
}

/** 12.34 -> "12.3". */
export function formatOne(value: number): string {
  return ONE_DECIMAL.format(value);
}

const PERCENT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** 99.99327 -> "99.993" (small shares of millions of rows stay visible). */
export function formatPercent(value: number): string {
  return PERCENT.format(value);
}

/** "absurd_delay" -> "absurd delay". */
export function reasonLabel(reason: string): string {
  return reason.replaceAll('_', ' ');
}

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 734003200 -> "700 MiB", 1288490189 -> "1.2 GiB": one decimal below 10 of a unit. */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || value >= 10 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${shown} ${SIZE_UNITS[unit]}`;
}

/**
 * A Spark stage's name without the call site every PySpark stage shares (the JVM's reflection
 * frame): "parquet at NativeMethodAccessorImpl.java:0" -> "parquet".
 */
export function stageLabel(name: string): string {
  return name.replace(/ at NativeMethodAccessorImpl\.java:\d+$/, '');
}
