/** Small formatting helpers for the generated BENCHMARKS.md. */

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function integer(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return Math.round(value).toLocaleString('en-US');
}

/** Milliseconds with a precision that suits their size. */
export function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  if (value < 1) return value.toFixed(3);
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

export function fixed(value: number | null | undefined, digits = 1): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  return value.toFixed(digits);
}

export function range(spread: { median: number; min: number; max: number }, format = integer): string {
  return `${format(spread.median)} (${format(spread.min)}–${format(spread.max)})`;
}

export function ratio(spread: { median: number; min: number; max: number } | null): string {
  if (!spread) return '-';
  return `**${spread.median.toFixed(2)}** (${spread.min.toFixed(2)}–${spread.max.toFixed(2)})`;
}

export function day(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}
