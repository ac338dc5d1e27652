// The safety figures the tests hold the firmware to, written out literally with their source,
// never read back from config/defaults.ts: a test that reads the code's own figure passes
// whatever that figure becomes. "reference A5" = section A5 of iec61851-reference.md (the
// project's IEC 61851 / OCPP cheat sheet); "project figure" = the firmware's own choice, as the
// README's config reference states it, with no outside source.
// test/config/safety-defaults.test.ts checks that DEFAULT_SAFETY holds exactly these.

/** Mirror contact must read open this long after an open command, else welded (reference A5: OpenEVSE checks after 1 s; the project is stricter). */
export const CONTACTOR_FEEDBACK_TIMEOUT_MS = 500;
/** Mirror contact must read closed this long after a close command (project figure; reference A3 seq 4 allows 3 s for the whole close). */
export const CONTACTOR_CLOSE_TIMEOUT_MS = 500;
/** State F after a fault (reference A3: EVerest state_F_after_fault_ms, "≥ 300 ms"). */
export const STATE_F_DURATION_MS = 300;
/** CP debounce (reference A1: filtering adds at most 50 ms; 30 ms fits every board's C→B budget of 100 ms less 20 ms margin, docs/reaction-budgets.md). */
export const PILOT_DEBOUNCE_MS = 30;
/** At most one PWM change per this interval (reference A3: EVerest IEC_PWM_MAX_UPDATE_INTERVAL). */
export const PWM_MIN_UPDATE_INTERVAL_MS = 5000;
/** Over-current limit (I_PWM + 0.5 A) × 1.10 for 7 s (reference A5: EVerest). */
export const OVERCURRENT_MARGIN_A = 0.5;
export const OVERCURRENT_TOLERANCE_RATIO = 0.1;
export const OVERCURRENT_GRACE_MS = 7000;
/** Temperature steps (reference A5: OpenEVSE 65 °C → ½, 68 °C → ¼, 71 °C → stop, ≤ 62 °C → restore). */
export const DERATE_HALF_C = 65;
export const DERATE_QUARTER_C = 68;
export const STOP_C = 71;
export const RESTORE_C = 62;
/** An EV left in C after the PWM is withdrawn has its power cut under load after this (reference A3 seq 10.2: EVerest, Tinkerforge 6 s). */
export const POWER_OFF_UNDER_LOAD_MS = 6000;
/** Time an EV gets to follow a lower PWM before the lower figure counts (reference A3: IEC 61851-1 gives the EV 5 s). */
export const EV_FOLLOW_TIME_MS = 5000;
/** Mains band around the nominal voltage (IEC 60038 / EN 50160: 230 V ±10 %, 207–253 V). */
export const MAINS_UNDER_VOLTAGE_RATIO = 0.1;
export const MAINS_OVER_VOLTAGE_RATIO = 0.1;
/** Lock feedback must confirm within this time (project figure). */
export const LOCK_TIMEOUT_MS = 1000;
/** Consecutive failed meter reads before MeterFailure (project figure). */
export const METER_FAILURES_BEFORE_FAULT = 3;
/** A self-recovering fault raised more than this often latches (reference A5: OpenEVSE hard-faults after more than 6 retries). */
export const REPEATED_FAULT_LIMIT = 6;
/** …within this window (project figure: 1 h). */
export const REPEATED_FAULT_WINDOW_MS = 3_600_000;
/** Retry delay after a residual current or earth fault (reference A5: OpenEVSE retries after 5 min). */
export const FAULT_RETRY_DELAY_MS = 300_000;
/** A passed RCD self-test counts this long at most (reference A5: Tinkerforge tests its RCD every 24 h). */
export const RCD_SELF_TEST_INTERVAL_MS = 86_400_000;

/** The same figures under the config's field names, for tests written against `SAFETY.field`. */
export const REFERENCE_SAFETY = {
  contactorFeedbackTimeoutMs: CONTACTOR_FEEDBACK_TIMEOUT_MS,
  contactorCloseTimeoutMs: CONTACTOR_CLOSE_TIMEOUT_MS,
  stateFDurationMs: STATE_F_DURATION_MS,
  pilotDebounceMs: PILOT_DEBOUNCE_MS,
  pwmMinUpdateIntervalMs: PWM_MIN_UPDATE_INTERVAL_MS,
  overcurrentToleranceRatio: OVERCURRENT_TOLERANCE_RATIO,
  overcurrentMarginA: OVERCURRENT_MARGIN_A,
  overcurrentGraceMs: OVERCURRENT_GRACE_MS,
  temperatureDerateHalfC: DERATE_HALF_C,
  temperatureDerateQuarterC: DERATE_QUARTER_C,
  temperatureStopC: STOP_C,
  temperatureRestoreC: RESTORE_C,
  lockTimeoutMs: LOCK_TIMEOUT_MS,
  meterFailuresBeforeFault: METER_FAILURES_BEFORE_FAULT,
  repeatedFaultLimit: REPEATED_FAULT_LIMIT,
  repeatedFaultWindowMs: REPEATED_FAULT_WINDOW_MS,
  faultRetryDelayMs: FAULT_RETRY_DELAY_MS,
  rcdSelfTestIntervalMs: RCD_SELF_TEST_INTERVAL_MS,
  /** A released emergency stop clears by itself (a new driver action is still needed to charge); latching is a site's option. */
  emergencyStopLatches: false,
  mainsUnderVoltageRatio: MAINS_UNDER_VOLTAGE_RATIO,
  mainsOverVoltageRatio: MAINS_OVER_VOLTAGE_RATIO,
  /** No interlock is switched off by default. */
  disabledInterlocks: [] as readonly string[],
} as const;
