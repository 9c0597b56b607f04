// Summary statistics for benchmark samples. Percentiles use the nearest-rank method on the sorted
// samples (no interpolation), so p95 of 200 samples is the 190th value and max is a real sample.

/** @param {number[]} sorted ascending; @param {number} p in [0, 100] */
function nearestRank(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * @param {number[]} samples
 * @returns {{ n: number, min: number|null, p50: number|null, p95: number|null, p99: number|null, max: number|null, mean: number|null }}
 */
export function summarize(samples) {
  const values = samples.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length ? sorted.reduce((s, v) => s + v, 0) / sorted.length : null;
  return {
    n: sorted.length,
    min: sorted[0] ?? null,
    p50: nearestRank(sorted, 50),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    max: sorted[sorted.length - 1] ?? null,
    mean,
  };
}

/** Rounds to 3 decimals (microsecond resolution for milliseconds) so JSON stays readable. */
export function round(value, digits = 3) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function roundAll(values, digits = 3) {
  return values.map((v) => round(v, digits));
}

export function roundSummary(summary, digits = 3) {
  return Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, round(v, digits)]));
}

/** Formats milliseconds for the console table. */
export function fmtMs(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function fmtBytes(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  if (value >= 1024 * 1024) return `${(value / 1024 / 1024).toFixed(2)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${value} B`;
}
