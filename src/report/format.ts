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

/**
 * A Spark stage's name without the call site every PySpark stage shares (the JVM's reflection
 * frame): "parquet at NativeMethodAccessorImpl.java:0" -> "parquet".
 */
export function stageLabel(name: string): string {
  return name.replace(/ at NativeMethodAccessorImpl\.java:\d+$/, '');
}
