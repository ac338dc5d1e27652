// Clock-aligned interval boundaries (§3.16.2): ClockAlignedDataInterval seconds splits every day
// into evenly spaced intervals "starting at 00:00:00 (midnight)". §3.14 recommends UTC for all
// time values and the spec names no other zone, so midnight is UTC midnight. When the interval
// does not divide a day, the day's last interval is shorter: every day starts again at midnight.

const DAY_MS = 86_400_000;

/** The latest boundary at or before `ms`. */
export function boundaryAtOrBefore(ms: number, intervalS: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const step = intervalS * 1000;
  return day + Math.floor((ms - day) / step) * step;
}

/** The first boundary strictly after `ms`. */
export function boundaryAfter(ms: number, intervalS: number): number {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const next = boundaryAtOrBefore(ms, intervalS) + intervalS * 1000;
  return Math.min(next, day + DAY_MS);
}
