// Number and date formatting shared by the tables.
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
    ? v.toExponential(3)
    : v.toPrecision(4);
}

export function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}
