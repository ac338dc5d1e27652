import type { ChargerConfig, SafetyConfig } from './charger-config.js';

// Values and their sources: the IEC 61851 reference sheet (section named per line, "A5" = reference A5).
export const DEFAULT_SAFETY: SafetyConfig = {
  contactorFeedbackTimeoutMs: 500, // A5: OpenEVSE checks AC sense 1 s after opening; we are stricter
  contactorCloseTimeoutMs: 500,
  stateFDurationMs: 300, // A3: EVerest state_F_after_fault_ms, "≥300 ms"
  pilotDebounceMs: 30, // A1: filtering adds at most 50 ms (A3: OpenEVSE 25 ms); fits every reference board's C→B budget (docs/reaction-budgets.md)
  pwmMinUpdateIntervalMs: 5000, // A3: at most one PWM update every 5 s (EVerest IEC_PWM_MAX_UPDATE_INTERVAL)
  overcurrentToleranceRatio: 0.1, // A5: EVerest (I_PWM + 0.5 A) × 1.10
  overcurrentMarginA: 0.5,
  overcurrentGraceMs: 7000, // A5: EVerest 7 s (min 6 s)
  temperatureDerateHalfC: 65, // A5: OpenEVSE 65 °C → ½ current
  temperatureDerateQuarterC: 68, // A5: OpenEVSE 68 °C → ¼ current
  temperatureStopC: 71, // A5: OpenEVSE 71 °C → stop
  temperatureRestoreC: 62, // A5: OpenEVSE ≤62 °C → restore
  lockTimeoutMs: 1000,
  mainsUnderVoltageRatio: 0.1, // IEC 60038 / EN 50160: 230 V ±10 % (207–253 V)
  mainsOverVoltageRatio: 0.1,
  meterFailuresBeforeFault: 3,
  repeatedFaultLimit: 6, // A5: OpenEVSE hard-faults after more than 6 retries
  repeatedFaultWindowMs: 3_600_000,
  faultRetryDelayMs: 300_000, // A5: OpenEVSE retries GFI / ground faults after 5 min
  rcdSelfTestIntervalMs: 86_400_000, // A5: Tinkerforge tests the RCD every 24 h (OpenEVSE: before every close)
  emergencyStopLatches: false,
  disabledInterlocks: [],
};

export const DEFAULT_CONFIG: ChargerConfig = {
  identity: { chargePointId: 'CP-SIM-001', vendor: 'OpenCharger', model: 'Sim-AC22', serialNumber: 'SIM-0001' },
  board: 'sim',
  connectors: [{ connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' }],
  site: { maxCurrentA: 32, ventilationAvailable: false, nominalVoltageV: 230 },
  authorization: { mode: 'allowList', allowList: [], cardDebounceMs: 2000 },
  metering: { pollIntervalMs: 1000 },
  diagnostics: { host: '127.0.0.1', port: 8180 },
  safety: DEFAULT_SAFETY,
  ocpp: { configuration: {}, tls: {}, freeChargingIdTag: 'FREECHARGING', queueDrainPerSecond: 0, callTimeoutS: 30 },
};
