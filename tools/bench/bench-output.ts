// `make bench` prints one JSON object per line on stdout and nothing else.

export function emit(metric: string, value: number, unit: string, context: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ metric, value: Math.round(value * 1000) / 1000, unit, ...context })}\n`);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across threads and processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
