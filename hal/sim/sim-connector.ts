// One connector's physical world: the cable and EV behind it, the CP line, the contactor,
// the meter's register, and the connector's injected faults. Exposes the sim drivers.

import type { TimerHandle } from '../clock.js';
import type {
  CableRatingA,
  ConnectorHardware,
  ConnectorKind,
  MeterReading,
  PhaseReading,
  PilotOutput,
} from '../interfaces.js';
import { NOMINAL_PROXIMITY_OHMS, proximityFromResistance } from '../proximity-resistance.js';
import { DEFAULT_OVER_TEMPERATURE_C } from './faults.js';
import { EV_LOAD_OHMS, type PilotLine } from './pilot-physics.js';
import { SimConnectorLock, SimContactor } from './sim-actuators.js';
import { SimStatusLed } from './sim-hmi.js';
import { SimEnergyMeter } from './sim-meter.js';
import type { MeterRegisterFile } from './meter-register-file.js';
import { SimResidualCurrentMonitor, SimTemperatureSensor } from './sim-monitors.js';
import { SimControlPilot, SimProximityPilot } from './sim-pilot.js';
import type { SimTimers } from './sim-timers.js';
import { AMBIENT_TEMPERATURE_C, type SimStation } from './station.js';
import type { EvParameters, OverdrawPhase, SimConnectorSnapshot, SimFaultName, SimFaultParams } from './simulation-control.js';
import { VirtualEv, type VirtualEvHooks } from './virtual-ev.js';

export interface SimConnectorConfig {
  readonly connectorId: number;
  readonly kind: ConnectorKind;
  /** Phases wired to this connector; a 1-phase connector has only L1. */
  readonly phases: 1 | 3;
  /** Tethered: the fixed cable's rating (sockets read theirs from the plugged cable). */
  readonly cableRatingA?: CableRatingA;
  /** The contactor's mechanical delay, pull-in and drop-out (the sim profile's contactorDropOutMs); default CONTACTOR_DELAY_MS. */
  readonly contactorDelayMs?: number;
}

export interface PlugOptions {
  cableRatingA?: CableRatingA;
  cableOhms?: number;
  ev?: Partial<EvParameters>;
}

/** Words of shared memory the board's safe-state release writes (see SafeStateRelease). */
export interface SimOutputWords {
  readonly coil: Int32Array;
  readonly pilotHold: Int32Array;
}

function sharedWord(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

/** The meter's import register when the board starts. */
export const METER_START_WH = 1000;
const DEFAULT_OVERDRAW_A = 10;
const DEFAULT_GLITCH_MS = 20;
const DEFAULT_SOCKET_RATING_A: CableRatingA = 32;
const CABLE_RATINGS: readonly number[] = [13, 20, 32, 63];
const MS_PER_HOUR = 3_600_000;

export class SimConnector {
  readonly hardware: ConnectorHardware;
  private readonly pilot: SimControlPilot;
  private readonly proximity: SimProximityPilot | null;
  private readonly contactor: SimContactor;
  private readonly lock: SimConnectorLock | null;
  private readonly rcd: SimResidualCurrentMonitor;
  private readonly meter: SimEnergyMeter;
  private readonly socketTemperature = new SimTemperatureSensor('socket', AMBIENT_TEMPERATURE_C);
  private readonly line: PilotLine = {
    output: { mode: 'high' },
    loadOhms: Number.POSITIVE_INFINITY,
    diode: true,
    shortedToGround: false,
    glitchV: null,
  };
  private readonly faults = new Set<SimFaultName>();
  private readonly evHooks: VirtualEvHooks = {
    willChange: () => this.integrate(),
    changed: () => this.refreshPilot(),
  };
  private ev: VirtualEv | null = null;
  private peLost = false;
  private overdrawFault: { readonly amps: number; readonly phase: OverdrawPhase } | null = null;
  /** The plugged cable's PP resistor (sockets), for when a PP fault clears. */
  private cableOhms = Number.POSITIVE_INFINITY;
  private glitchTimer: TimerHandle | undefined;
  private registerWh = METER_START_WH;
  private lastIntegrationMs: number;

  constructor(
    readonly config: SimConnectorConfig,
    private readonly timers: SimTimers,
    private readonly station: SimStation,
    /** Where the meter keeps its register across restarts (none: it starts at METER_START_WH). */
    private readonly registerFile: MeterRegisterFile | null = null,
    /** The contactor's coil word (1 = energized) and the pilot's hold word (1 = state F): shared memory the safe-state release writes. */
    outputs: SimOutputWords = { coil: sharedWord(), pilotHold: sharedWord() },
  ) {
    const socket = config.kind === 'socket';
    this.registerWh = registerFile?.get(config.connectorId) ?? METER_START_WH;
    this.lastIntegrationMs = timers.now();
    this.pilot = new SimControlPilot(this.line, (output) => this.showEv(output), outputs.pilotHold);
    this.proximity = socket ? new SimProximityPilot() : null;
    this.contactor = new SimContactor(timers, () => this.integrate(), outputs.coil, config.contactorDelayMs);
    this.lock = socket ? new SimConnectorLock(timers) : null;
    this.rcd = new SimResidualCurrentMonitor(timers);
    this.meter = new SimEnergyMeter(timers, `meter of connector ${config.connectorId}`, () => this.sampleMeterDurably());
    this.hardware = {
      connectorId: config.connectorId,
      pilot: this.pilot,
      proximity: this.proximity,
      contactor: this.contactor,
      residualCurrent: this.rcd,
      lock: this.lock,
      meter: this.meter,
      socketTemperature: this.socketTemperature,
      led: new SimStatusLed(),
    };
  }

  get id(): number {
    return this.config.connectorId;
  }

  plug(options: PlugOptions = {}): void {
    if (this.ev) throw new Error(`connector ${this.id} already has a cable plugged`);
    let ohms = 0;
    if (this.proximity) {
      const rating = options.cableRatingA ?? DEFAULT_SOCKET_RATING_A;
      if (!CABLE_RATINGS.includes(rating)) throw new Error(`cable rating ${rating} A is not one of 13, 20, 32, 63`);
      ohms = options.cableOhms ?? NOMINAL_PROXIMITY_OHMS[rating];
      if (typeof ohms !== 'number' || !(ohms > 0)) throw new Error(`cable PP resistance ${ohms} Ω is not valid`);
    } // a tethered cable is fixed: its rating comes from the board, plug options for it are ignored
    const ev = new VirtualEv(this.timers, this.evHooks, options.ev); // validates before anything changes
    this.integrate();
    // PP first, so the cable is known when the CP shows the EV (B).
    this.cableOhms = ohms;
    this.refreshProximity();
    this.ev = ev;
    if (this.overdrawFault !== null) ev.setOverdrawFault(this.overdrawFault);
    this.showEv(this.line.output); // the EV sees the pilot; the CP shows B
  }

  unplug(): void {
    if (!this.ev) return;
    this.integrate();
    this.ev.dispose();
    this.ev = null;
    this.refreshPilot(); // CP back to A first, then PP: no cable
    this.cableOhms = Number.POSITIVE_INFINITY;
    this.refreshProximity();
  }

  setEv(parameters: Partial<EvParameters>): void {
    this.requireEv().setParameters(parameters);
  }

  pauseEv(): void {
    this.requireEv().pause();
  }

  resumeEv(): void {
    this.requireEv().resume();
  }

  /** Station-wide PE loss: the EV's pilot return is lost, so the CP reads as open (A). */
  setPeLost(lost: boolean): void {
    if (lost === this.peLost) return;
    this.peLost = lost;
    this.showEv(this.line.output);
    this.refreshPilot();
  }

  injectFault(fault: SimFaultName, params: SimFaultParams): void {
    switch (fault) {
      case 'contactorWelded':
        this.contactor.setWelded(true);
        break;
      case 'contactorWontClose':
        this.contactor.setWontClose(true);
        break;
      case 'rcdTripAc':
        this.rcd.setResidual('ac', true);
        break;
      case 'rcdTripDc':
        this.rcd.setResidual('dc', true);
        break;
      case 'rcdSelfTestFail':
        this.rcd.setSelfTestFails(true);
        break;
      case 'overTemperature':
        this.socketTemperature.set(params.temperatureC ?? DEFAULT_OVER_TEMPERATURE_C);
        break;
      case 'cpShortToGround':
        this.line.shortedToGround = true;
        this.showEv(this.line.output);
        this.refreshPilot();
        break;
      case 'diodeMissing':
        this.faults.add(fault); // refreshPilot reads it
        this.refreshPilot();
        break;
      case 'lockFailure':
        if (!this.lock) throw new Error(`connector ${this.id} is tethered: it has no lock`);
        this.lock.setStuck(true);
        break;
      case 'lockSlip':
        if (!this.lock) throw new Error(`connector ${this.id} is tethered: it has no lock`);
        this.lock.setSlipped(true);
        break;
      case 'ppOpen':
      case 'ppShort':
        if (!this.proximity) throw new Error(`connector ${this.id} is tethered: it has no proximity contact`);
        this.faults.add(fault); // refreshProximity reads it
        this.refreshProximity();
        break;
      case 'meterCommLoss':
        this.meter.commLoss = true;
        break;
      case 'evOverdraw':
        this.overdrawFault = { amps: params.overdrawA ?? DEFAULT_OVERDRAW_A, phase: params.overdrawPhase ?? 'all' };
        this.ev?.setOverdrawFault(this.overdrawFault);
        break;
      case 'outputWriteFails':
        this.pilot.setWriteFails(true);
        this.contactor.setWriteFails(true);
        break;
      case 'cpGlitch':
        this.glitchTimer = this.timers.cancel(this.glitchTimer);
        this.line.glitchV = params.glitchLevelV ?? 0;
        this.glitchTimer = this.timers.after(params.durationMs ?? DEFAULT_GLITCH_MS, () => {
          this.glitchTimer = undefined;
          this.clearFault('cpGlitch');
        });
        this.refreshPilot();
        break;
      default:
        throw new Error(`fault ${fault} is not a connector fault`);
    }
    this.faults.add(fault);
  }

  clearFault(fault: SimFaultName): void {
    if (!this.faults.delete(fault)) return;
    switch (fault) {
      case 'contactorWelded':
        this.contactor.setWelded(false);
        break;
      case 'contactorWontClose':
        this.contactor.setWontClose(false);
        break;
      case 'rcdTripAc':
        this.rcd.setResidual('ac', false);
        break;
      case 'rcdTripDc':
        this.rcd.setResidual('dc', false);
        break;
      case 'rcdSelfTestFail':
        this.rcd.setSelfTestFails(false);
        break;
      case 'overTemperature':
        this.socketTemperature.set(AMBIENT_TEMPERATURE_C);
        break;
      case 'cpShortToGround':
        this.line.shortedToGround = false;
        this.showEv(this.line.output);
        this.refreshPilot();
        break;
      case 'diodeMissing':
        this.refreshPilot();
        break;
      case 'lockFailure':
        this.lock?.setStuck(false);
        break;
      case 'lockSlip':
        this.lock?.setSlipped(false);
        break;
      case 'ppOpen':
      case 'ppShort':
        this.refreshProximity();
        break;
      case 'meterCommLoss':
        this.meter.commLoss = false;
        break;
      case 'evOverdraw':
        this.overdrawFault = null;
        this.ev?.setOverdrawFault(null);
        break;
      case 'outputWriteFails':
        this.pilot.setWriteFails(false);
        this.contactor.setWriteFails(false);
        break;
      case 'cpGlitch':
        this.glitchTimer = this.timers.cancel(this.glitchTimer);
        this.line.glitchV = null;
        this.refreshPilot();
        break;
      default:
        break;
    }
  }

  /** Physics tick: energy up to now, then the battery's reaction to it. */
  tick(): void {
    this.contactor.followCoil();
    this.pilot.followHold();
    this.integrate();
    this.ev?.checkBattery();
  }

  /** Accumulates the energy drawn since the last call into the meter register and the battery. */
  integrate(): void {
    const now = this.timers.now();
    const elapsedMs = now - this.lastIntegrationMs;
    this.lastIntegrationMs = now;
    if (elapsedMs <= 0 || !this.ev || !this.contactor.contactsClosed) return;
    const phases = this.suppliedPhases();
    let watts = 0;
    for (let i = 0; i < phases; i++) watts += this.station.mainsVoltageV[i]! * this.ev.demandA(i);
    if (watts <= 0) return;
    const wh = (watts * elapsedMs) / MS_PER_HOUR;
    this.registerWh += wh;
    this.ev.addEnergy(wh);
  }

  /** Current on L1, L2, L3 now: what the EV draws, only while the main contacts are closed. */
  phaseCurrent(phase: number): number {
    if (!this.ev || !this.contactor.contactsClosed || phase >= this.suppliedPhases()) return 0;
    return this.ev.demandA(phase);
  }

  snapshot(): SimConnectorSnapshot {
    const reading = this.proximity?.read();
    return {
      connectorId: this.id,
      plugged: this.ev !== null,
      cableRatingA: reading ? (reading.kind === 'cable' ? reading.ratingA : null) : (this.config.cableRatingA ?? null),
      evState: this.ev?.state ?? 'A',
      evPaused: this.ev?.isPaused ?? false,
      ev: this.ev?.parameters() ?? null,
      drawnCurrentA: [this.phaseCurrent(0), this.phaseCurrent(1), this.phaseCurrent(2)],
      contactsClosed: this.contactor.contactsClosed,
      socketTemperatureC: this.socketTemperature.read() ?? AMBIENT_TEMPERATURE_C,
      faults: [...this.faults],
    };
  }

  close(): void {
    this.ev?.dispose();
    this.glitchTimer = this.timers.cancel(this.glitchTimer);
  }

  private requireEv(): VirtualEv {
    if (!this.ev) throw new Error(`connector ${this.id} has no EV plugged`);
    return this.ev;
  }

  /** Phases the EV draws on here: its charger's phases, limited by the connector's wiring. */
  private suppliedPhases(): number {
    return this.ev && this.ev.phases === 3 && this.config.phases === 3 ? 3 : 1;
  }

  /** The EV's view of the pilot: a shorted CP or a lost return leaves it nothing usable. */
  private showEv(output: PilotOutput): void {
    if (!this.ev) return;
    if (this.peLost || this.line.shortedToGround) this.ev.seePilot('lost', 0);
    else this.ev.seePilot(output.mode, output.mode === 'pwm' ? output.dutyPercent : 0);
  }

  /** The PP reading: the cable's resistor, unless a PP fault opens or shorts it. */
  private refreshProximity(): void {
    const ohms = this.faults.has('ppOpen') ? Number.POSITIVE_INFINITY : this.faults.has('ppShort') ? 0 : this.cableOhms;
    this.proximity?.set(proximityFromResistance(ohms));
  }

  private refreshPilot(): void {
    this.line.loadOhms = this.ev && !this.peLost ? EV_LOAD_OHMS[this.ev.state] : Number.POSITIVE_INFINITY;
    this.line.diode = (this.ev?.hasDiode ?? true) && !this.faults.has('diodeMissing');
    this.pilot.refresh();
  }

  /** The reading leaves the meter only once its register is kept (see MeterRegisterFile). */
  private async sampleMeterDurably(): Promise<MeterReading> {
    const reading = this.sampleMeter();
    await this.registerFile?.keep(this.config.connectorId, reading.importEnergyWh);
    return reading;
  }

  private sampleMeter(): MeterReading {
    this.integrate();
    const wired = this.config.phases;
    const phase = (i: number): PhaseReading => {
      const voltageV = i < wired ? this.station.mainsVoltageV[i]! : 0; // an unwired phase reads 0 V
      const currentA = this.phaseCurrent(i);
      return { voltageV, currentA, powerW: voltageV * currentA };
    };
    const phases = [phase(0), phase(1), phase(2)] as const;
    return {
      phases,
      totalPowerW: phases[0].powerW + phases[1].powerW + phases[2].powerW,
      frequencyHz: this.station.frequencyHz,
      importEnergyWh: this.registerWh,
    };
  }
}
