// Control of the simulated physical world behind the sim drivers: the EV, the cable,
// the mains, the card reader, and injected faults. Used by tests, the dev tools and,
// on the simulated board only, the diagnostics API.

import type { CableRatingA } from '../interfaces.js';

/** IEC 61851 state the EV presents on the pilot (by its resistor network). */
export type EvPilotState = 'A' | 'B' | 'C' | 'D';

export interface EvParameters {
  /** Phases the on-board charger draws on. */
  readonly phases: 1 | 3;
  /** The most the on-board charger draws per phase, whatever is offered. */
  readonly maxCurrentA: number;
  readonly batteryCapacityWh: number;
  readonly socPercent: number;
  /** The EV stops drawing (goes back to B) when it reaches this. */
  readonly targetSocPercent: number;
  /** How long the EV takes to follow a new PWM current limit. */
  readonly followDelayMs: number;
  /** Draw maxCurrentA regardless of the PWM limit (a misbehaving EV). */
  readonly ignorePwm: boolean;
  /** Ask for ventilation (state D instead of C). */
  readonly requestsVentilation: boolean;
  /** The EV's pilot diode is present; a missing diode makes the pilot's low level symmetric. */
  readonly hasDiode: boolean;
  /** Extra current drawn above what the EV should draw (over-draw fault), per phase. */
  readonly overdrawA: number;
  /** Where overdrawA is drawn: on every phase, or on one phase alone (1 = L1). */
  readonly overdrawPhase: OverdrawPhase;
  /** Time the EV needs from seeing PWM to asking for power (B→C). */
  readonly wakeDelayMs: number;
}

/** Every phase the EV draws on, or one of them (1 = L1). */
export type OverdrawPhase = 'all' | 1 | 2 | 3;
export const OVERDRAW_PHASES: readonly OverdrawPhase[] = ['all', 1, 2, 3];

export const SIM_FAULT_NAMES = [
  'contactorWelded', // contacts stay closed after an open command; mirror contact says closed
  'contactorWontClose', // contacts stay open after a close command
  'rcdTripAc', // 30 mA AC residual current
  'rcdTripDc', // 6 mA DC residual current
  'rcdSelfTestFail', // the module's self-test does not trip
  'overTemperature', // socket (or enclosure) temperature set to params.temperatureC
  'peLoss', // protective earth lost
  'cpShortToGround', // CP shorted to PE: both levels ~0 V
  'diodeMissing', // same as EV parameter hasDiode=false
  'lockFailure', // lock motor does not move; feedback stays where it was
  'lockSlip', // the locked pin is pushed back: feedback says unlocked without a command, and it cannot lock
  'ppOpen', // the cable's proximity contact is open (broken PP wire): reads no cable
  'ppShort', // the cable's proximity contact is shorted to PE: an invalid coding
  'meterCommLoss', // meter does not answer
  'evOverdraw', // EV draws params.overdrawA more than it should (on params.overdrawPhase only, if given)
  'emergencyStop', // the emergency-stop button is pressed
  'cpGlitch', // the CP reads params.glitchLevelV for params.durationMs, then recovers by itself
  'outputWriteFails', // a broken driver: every write of the CP output and the contactor coil throws OutputWriteError
] as const;

export type SimFaultName = (typeof SIM_FAULT_NAMES)[number];

export function isSimFaultName(value: unknown): value is SimFaultName {
  return typeof value === 'string' && (SIM_FAULT_NAMES as readonly string[]).includes(value);
}

export interface SimFaultParams {
  readonly temperatureC?: number;
  readonly location?: 'socket' | 'enclosure';
  readonly overdrawA?: number;
  /** evOverdraw on one phase alone; absent: every phase. */
  readonly overdrawPhase?: OverdrawPhase;
  readonly durationMs?: number;
  readonly glitchLevelV?: number;
}

export interface SimConnectorSnapshot {
  readonly connectorId: number;
  readonly plugged: boolean;
  readonly cableRatingA: CableRatingA | null;
  readonly evState: EvPilotState;
  readonly evPaused: boolean;
  readonly ev: EvParameters | null;
  /** Current the EV draws per phase right now. */
  readonly drawnCurrentA: readonly [number, number, number];
  /** Where the contactor's main contacts physically are. */
  readonly contactsClosed: boolean;
  readonly socketTemperatureC: number;
  readonly faults: readonly SimFaultName[];
}

export interface SimulationSnapshot {
  readonly mainsVoltageV: readonly [number, number, number];
  readonly frequencyHz: number;
  readonly enclosureTemperatureC: number;
  readonly emergencyStopPressed: boolean;
  readonly groundPresent: boolean;
  readonly connectors: readonly SimConnectorSnapshot[];
}

export interface SimulationControl {
  /** Plugs a cable (and an EV behind it) into the connector. A socket's cable rating defaults to 32 A. */
  plug(
    connectorId: number,
    options?: {
      cableRatingA?: CableRatingA;
      /** Sockets only: the cable's PP resistor in ohms, overriding the rating's nominal value (e.g. a faulty cable). */
      cableOhms?: number;
      ev?: Partial<EvParameters>;
    },
  ): void;
  unplug(connectorId: number): void;
  setEv(connectorId: number, parameters: Partial<EvParameters>): void;
  /** The EV stops asking for power (C→B) until resumed. */
  pauseEv(connectorId: number): void;
  resumeEv(connectorId: number): void;
  presentCard(uid: string): void;
  setMainsVoltage(volts: readonly [number, number, number]): void;
  /** connectorId null for station-wide faults (emergencyStop, peLoss, enclosure overTemperature). */
  injectFault(connectorId: number | null, fault: SimFaultName, params?: SimFaultParams): void;
  clearFault(connectorId: number | null, fault: SimFaultName): void;
  snapshot(): SimulationSnapshot;
}
