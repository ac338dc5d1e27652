// OCPP 1.6 charging profiles (§3.13, §7.8–7.14) and the limit one sets at a given moment.
// Only what a RemoteStartTransaction's TxProfile needs: one schedule, Absolute, Relative or
// Recurring, in A or W.

export interface ChargingSchedulePeriod {
  readonly startPeriod: number; // s from the schedule's start
  readonly limit: number; // A per phase, or W in total
  readonly numberPhases?: number;
}

export interface ChargingSchedule {
  readonly duration?: number;
  readonly startSchedule?: string;
  readonly chargingRateUnit: 'A' | 'W';
  readonly chargingSchedulePeriod: readonly ChargingSchedulePeriod[];
  readonly minChargingRate?: number;
}

export interface ChargingProfile {
  readonly chargingProfileId: number;
  readonly transactionId?: number;
  readonly stackLevel: number;
  readonly chargingProfilePurpose: 'ChargePointMaxProfile' | 'TxDefaultProfile' | 'TxProfile';
  readonly chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  readonly recurrencyKind?: 'Daily' | 'Weekly';
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly chargingSchedule: ChargingSchedule;
}

export interface ProfileLimit {
  /** Per phase, amperes; null: the profile sets no limit now. */
  readonly amps: number | null;
  /** When the limit may change next (ms), or null. */
  readonly nextChangeAt: number | null;
}

const DAY_MS = 86_400_000;

/** The schedule's start for the moment `now` (ms); null when not started or not valid. */
function scheduleStart(profile: ChargingProfile, sessionStartMs: number, now: number): number | null {
  const schedule = profile.chargingSchedule;
  if (profile.chargingProfileKind === 'Relative') return sessionStartMs; // §7.11: relative to the transaction start
  const start = schedule.startSchedule ? Date.parse(schedule.startSchedule) : sessionStartMs;
  if (!Number.isFinite(start)) return null;
  if (profile.chargingProfileKind === 'Recurring') {
    const period = profile.recurrencyKind === 'Weekly' ? 7 * DAY_MS : DAY_MS;
    return now < start ? start : start + Math.floor((now - start) / period) * period;
  }
  return start;
}

/** §3.13.4: W is total power; per phase current = P / (U × phases), numberPhases defaulting to 3. */
function toAmps(period: ChargingSchedulePeriod, unit: 'A' | 'W', nominalVoltageV: number, connectorPhases: number): number {
  if (unit === 'A') return period.limit;
  const phases = Math.min(period.numberPhases ?? 3, connectorPhases);
  return period.limit / (nominalVoltageV * phases);
}

export function profileLimit(profile: ChargingProfile, sessionStartMs: number, now: number, nominalVoltageV: number, connectorPhases: number): ProfileLimit {
  const validFrom = profile.validFrom ? Date.parse(profile.validFrom) : -Infinity;
  const validTo = profile.validTo ? Date.parse(profile.validTo) : Infinity;
  if (now < validFrom) return { amps: null, nextChangeAt: validFrom };
  if (now >= validTo) return { amps: null, nextChangeAt: null };
  const start = scheduleStart(profile, sessionStartMs, now);
  if (start === null) return { amps: null, nextChangeAt: null };
  if (now < start) return { amps: null, nextChangeAt: start };
  const schedule = profile.chargingSchedule;
  const elapsedS = (now - start) / 1000;
  const end = schedule.duration !== undefined ? start + schedule.duration * 1000 : Infinity;
  // A recurring schedule starts over at its first period (§7.9).
  const restart = profile.chargingProfileKind === 'Recurring' ? start + (profile.recurrencyKind === 'Weekly' ? 7 : 1) * DAY_MS : null;
  if (now >= end) return { amps: null, nextChangeAt: restart };
  const periods = [...schedule.chargingSchedulePeriod].sort((a, b) => a.startPeriod - b.startPeriod);
  let current: ChargingSchedulePeriod | undefined;
  let next: number | null = null;
  for (const period of periods) {
    if (period.startPeriod <= elapsedS) current = period;
    else {
      next = start + period.startPeriod * 1000;
      break;
    }
  }
  const candidates = [next, Number.isFinite(end) ? end : null, Number.isFinite(validTo) ? validTo : null, restart].filter((t): t is number => t !== null);
  const nextChangeAt = candidates.length ? Math.min(...candidates) : null;
  if (!current) return { amps: null, nextChangeAt };
  return { amps: Math.max(0, toAmps(current, schedule.chargingRateUnit, nominalVoltageV, connectorPhases)), nextChangeAt };
}
