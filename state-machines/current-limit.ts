// The one place that decides how much current a connector may offer: the minimum of every
// limit that applies, and which limit that is (OpenEVSE's "claims", without the priorities:
// for a current ceiling the lowest claim always wins).

/** Who or what set a limit. */
export type LimitSource =
  | 'connector'
  | 'cable'
  | 'site'
  | 'temperature'
  | 'ev' // not a limit we set, shown for completeness
  | 'external'; // a later claim (OCPP smart charging, technician)

export type CurrentLimits = Readonly<Partial<Record<LimitSource, number>>>;

export interface AllowedCurrent {
  readonly amps: number;
  readonly source: LimitSource;
}

/** Order used to name the source when two limits are equal: the fixed ratings before the changing limits. */
const SOURCE_ORDER: readonly LimitSource[] = ['connector', 'cable', 'site', 'temperature', 'external', 'ev'];

export function allowedCurrent(limits: CurrentLimits): AllowedCurrent {
  let best: AllowedCurrent = { amps: Infinity, source: 'connector' };
  for (const source of SOURCE_ORDER) {
    const amps = limits[source];
    if (amps === undefined || !Number.isFinite(amps)) continue;
    if (amps < best.amps) best = { amps: Math.max(0, amps), source };
  }
  return best.amps === Infinity ? { amps: 0, source: 'connector' } : best;
}

/** Temperature derating steps with hysteresis (reference A5, OpenEVSE figures by default). */
export type DerateLevel = 'none' | 'half' | 'quarter' | 'stop';

export interface DerateThresholds {
  readonly temperatureDerateHalfC: number;
  readonly temperatureDerateQuarterC: number;
  readonly temperatureStopC: number;
  readonly temperatureRestoreC: number;
}

const LEVEL_RANK: Record<DerateLevel, number> = { none: 0, half: 1, quarter: 2, stop: 3 };

/** Rises as soon as a threshold is reached; falls back to none only at or below the restore temperature. */
export function nextDerateLevel(previous: DerateLevel, temperatureC: number, t: DerateThresholds): DerateLevel {
  if (temperatureC <= t.temperatureRestoreC) return 'none';
  const reached: DerateLevel =
    temperatureC >= t.temperatureStopC ? 'stop'
      : temperatureC >= t.temperatureDerateQuarterC ? 'quarter'
        : temperatureC >= t.temperatureDerateHalfC ? 'half'
          : 'none';
  return LEVEL_RANK[reached] >= LEVEL_RANK[previous] ? reached : previous;
}

/** The current a derate level allows, given the connector's own maximum. */
export function deratedCurrent(level: DerateLevel, maxA: number): number {
  switch (level) {
    case 'none': return maxA;
    case 'half': return maxA / 2;
    case 'quarter': return maxA / 4;
    case 'stop': return 0;
  }
}
