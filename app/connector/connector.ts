// One connector, composed: the charging-point machine and its safety supervisor, wired to the
// connector's hardware. Every reaction to a hazard is synchronous: a detector's `raise` opens the
// contactor before anything else runs, then the supervisor and the machine take it from there.

import { createActor, type Actor } from 'xstate';
import type { Clock } from '../../hal/clock.js';
import type { ConnectorHardware, MeterReading } from '../../hal/interfaces.js';
import type { ConnectorConfig, SafetyConfig } from '../../config/charger-config.js';
import { POWER_OFF_UNDER_LOAD_MS, chargingPointMachine, type ChargingPointContext } from '../../state-machines/charging-point.js';
import {
  displayKeyOf,
  ocppStatusOf,
  pointStateName,
  type ChargePointStatus,
  type DisplayKey,
  type PointTag,
} from '../../state-machines/charging-point-view.js';
import { allowedCurrent, deratedCurrent, type AllowedCurrent, type CurrentLimits, type DerateLevel } from '../../state-machines/current-limit.js';
import { FAULTS, FAULT_NAMES, type FaultName } from '../../state-machines/faults.js';
import type { PilotState } from '../../state-machines/pilot-state.js';
import { dutyCycleForCurrent } from '../../state-machines/pwm.js';
import { faultStates, type FaultState, type SafetySupervisorMachine } from '../../state-machines/safety-supervisor.js';
import type { SessionStopReason } from '../records.js';
import type { SessionSettings } from '../ocpp/charger-port.js';
import { ContactorGate, type HardwareCloseConditions } from '../safety/contactor-gate.js';
import type { FaultReporter, FaultValues } from '../safety/fault-reporter.js';
import { RcdSelfTestScheduler, type RcdSelfTestState } from '../safety/rcd-self-test.js';
import { ProximityGuard } from '../safety/proximity-guard.js';
import { judgeResidualCurrent } from '../safety/residual-current-guard.js';
import type { SoftwareFaultHandler } from '../safety/fail-safe.js';
import { createFaultSupervisor } from '../safety/fault-supervisor.js';
import { TemperatureGuard } from '../safety/temperature-guard.js';
import { MainsVoltageGuard } from '../safety/mains-voltage-guard.js';
import { MeterPoller } from '../metering/meter-poller.js';
import { OvercurrentMonitor } from '../safety/overcurrent-monitor.js';
import { LockController } from '../safety/lock-controller.js';
import { PilotMonitor } from '../safety/pilot-monitor.js';
import { waitUntil } from '../wait-until.js';

export const CONNECTOR_FAULTS = FAULT_NAMES.filter((name) => FAULTS[name].scope === 'connector');

/** How long an authorization given before plug-in waits for the EV (OCPP's ConnectionTimeOut default is similar). */
export const PLUG_IN_TIMEOUT_MS = 60_000;

export interface ConnectorEvents {
  sessionStarted(connectorId: number, idTag: string | null): void;
  sessionStopped(connectorId: number, reason: SessionStopReason, fault: FaultName | null): void;
  faultChanged(connectorId: number | null, fault: FaultName, previous: FaultState | null, next: FaultState | null, values: FaultValues): void;
  changed(connectorId: number): void;
}

export interface ConnectorOptions {
  readonly config: ConnectorConfig;
  readonly safety: SafetyConfig;
  readonly hardware: ConnectorHardware;
  readonly clock: Clock;
  readonly ventilationAvailable: boolean;
  readonly freeCharging: boolean;
  readonly meterPollIntervalMs: number;
  /** Nominal mains voltage, phase to neutral (config site.nominalVoltageV). */
  readonly nominalVoltageV: number;
  readonly events: ConnectorEvents;
  /** Station-wide hazards, raised through the station's reporter (which opens every connector). */
  readonly disabledInterlocks: ReadonlySet<FaultName>;
  /** An actor failed (e.g. an action's driver write threw): the fail-safe path (app/safety/fail-safe.ts). */
  readonly onSoftwareFault: SoftwareFaultHandler;
}

export class Connector {
  readonly id: number;
  readonly meter: MeterPoller;
  private readonly machine: Actor<typeof chargingPointMachine>;
  private readonly supervisor: Actor<SafetySupervisorMachine>;
  private readonly gate: ContactorGate;
  private readonly pilotMonitor: PilotMonitor;
  private readonly lock: LockController | null;
  private readonly overcurrent: OvercurrentMonitor;
  private readonly temperature: TemperatureGuard;
  private readonly mainsVoltage: MainsVoltageGuard;
  private readonly reporter: FaultReporter;
  private readonly lastValues = new Map<FaultName, FaultValues>();
  private readonly disposers: (() => void)[] = [];
  /** The connector's faults as last reported (faultChanged), to tell what changed; the supervisor holds them. */
  private reportedFaults: readonly FaultState[] = [];
  private stationFaults: readonly FaultState[] = [];
  private stationDerate: DerateLevel = 'none';
  private siteShareA = Infinity;
  /**
   * The cable term of the current limit: the PP's rating (the machine's cableRatingA), except that
   * while a session lasts it only ever goes down. Not a copy of the machine's: it remembers the session's lowest.
   */
  private cableTermA: number | null;
  /**
   * A session is open: between the machine's startSession and stopSession actions. Kept here, not
   * read from the machine's state, because the gate asks during the machine's own step, when its
   * snapshot still shows the state before it (a card can take it from waiting to energized in one step).
   */
  private sessionOpen = false;
  private readonly proximityGuard: ProximityGuard;
  private readonly rcdSelfTest: RcdSelfTestScheduler;
  /** Limits from outside, by who claims them (e.g. a TxProfile, a refused idTag's energy cap); the lowest applies. */
  private readonly externalClaims = new Map<string, number>();
  private limits: CurrentLimits = {};

  constructor(private readonly options: ConnectorOptions) {
    const { config, safety, hardware, clock } = options;
    this.id = config.connectorId;
    this.cableTermA = config.kind === 'tethered' ? (config.cableRatingA ?? null) : null;
    this.reporter = {
      raise: (fault, values) => this.raise(fault, values),
      clear: (fault) => this.clear(fault),
    };

    this.gate = new ContactorGate({
      contactor: hardware.contactor,
      clock,
      reporter: this.reporter,
      feedbackTimeoutMs: safety.contactorFeedbackTimeoutMs,
      closeTimeoutMs: safety.contactorCloseTimeoutMs,
      conditions: () => this.hardwareCloseConditions(),
      onRefused: (blockers) => {
        this.reporter.raise('InterlockRefused', { blockers: blockers.join(',') });
        this.reporter.clear('InterlockRefused');
      },
    });

    this.rcdSelfTest = new RcdSelfTestScheduler({
      monitor: hardware.residualCurrent,
      contactor: hardware.contactor,
      clock,
      intervalMs: safety.rcdSelfTestIntervalMs,
      onState: (state) => this.onSelfTest(state),
    });

    const supervisor = createFaultSupervisor({
      faults: CONNECTOR_FAULTS,
      safety,
      clock,
      where: `connector ${this.id} safety supervisor`,
      onFaults: (faults) => this.onLocalFaults(faults),
      onSoftwareFault: options.onSoftwareFault,
    });
    this.supervisor = supervisor.actor;
    this.disposers.push(supervisor.unsubscribe);

    this.overcurrent = new OvercurrentMonitor(safety, this.reporter);
    this.mainsVoltage = new MainsVoltageGuard({ ...safety, nominalVoltageV: options.nominalVoltageV }, config.phases, this.reporter);
    this.meter = new MeterPoller(hardware.meter, clock, options.meterPollIntervalMs, safety.meterFailuresBeforeFault, this.reporter);
    this.disposers.push(this.meter.onReading((reading, at) => this.onMeterReading(reading, at)));

    this.machine = createActor(
      chargingPointMachine.provide({
        actions: {
          pilotHigh: () => this.setPilot({ mode: 'high' }, 0),
          pilotError: () => this.setPilot({ mode: 'error' }, 0),
          pilotPwmAtAllowed: ({ context }) =>
            this.setPilot({ mode: 'pwm', dutyPercent: dutyCycleForCurrent(context.allowedCurrentA) }, context.allowedCurrentA),
          closeContactor: () => void this.gate.close(),
          openContactor: () => {
            this.gate.open();
            this.overcurrent.reset();
          },
          lockConnector: () => this.lock?.engage(),
          unlockConnector: () => this.lock?.release(),
          startSession: (_, { idTag }) => {
            this.sessionOpen = true;
            options.events.sessionStarted(this.id, idTag);
          },
          stopSession: (_, { reason }) => {
            this.sessionOpen = false;
            options.events.sessionStopped(this.id, reason, this.stopFault(reason));
            // The cable term was held through the session; now it follows the PP again.
            this.onProximity();
          },
        },
      }),
      {
        clock,
        input: {
          connectorId: this.id,
          kind: config.kind,
          tetheredCableRatingA: config.kind === 'tethered' ? (config.cableRatingA ?? null) : null,
          ventilationAvailable: options.ventilationAvailable,
          freeCharging: options.freeCharging,
          stateFDurationMs: safety.stateFDurationMs,
          pwmMinUpdateIntervalMs: safety.pwmMinUpdateIntervalMs,
          pilotResumeHoldMs: safety.pwmMinUpdateIntervalMs,
          plugInTimeoutMs: PLUG_IN_TIMEOUT_MS,
        },
      },
    );
    this.disposers.push(this.machine.subscribe({
      next: () => options.events.changed(this.id),
      error: (error) => options.onSoftwareFault({ source: 'actor', where: `connector ${this.id} charging-point machine`, error }),
    }).unsubscribe);

    this.pilotMonitor = new PilotMonitor(hardware.pilot, clock, safety.pilotDebounceMs, options.ventilationAvailable, this.reporter, {
      onState: (state) => this.onPilotState(state),
      onDiodeVerified: () => this.machine.send({ type: 'DIODE_VERIFIED' }),
    });

    this.proximityGuard = new ProximityGuard({
      pilot: hardware.pilot,
      clock,
      reporter: this.reporter,
      pilotDebounceMs: safety.pilotDebounceMs,
      pilotState: () => this.pilotMonitor.state,
      contactsMayBeLive: () => this.gate.commanded === 'closed' || this.gate.feedback === 'closed',
      openNow: () => this.gate.open(),
    });

    this.lock = hardware.lock
      ? new LockController(hardware.lock, hardware.contactor, clock, safety.lockTimeoutMs, this.reporter, (position) =>
        this.machine.send({ type: 'LOCK', locked: position === 'locked' }))
      : null;

    this.temperature = new TemperatureGuard(
      hardware.socketTemperature,
      safety,
      { overTemperature: 'OverTemperature', sensorFailure: 'TemperatureSensorFailure' },
      this.reporter,
      () => this.updateLimit(),
    );

    this.disposers.push(hardware.residualCurrent.onTrip((trip) => judgeResidualCurrent(trip, this.reporter)));
    if (hardware.proximity) {
      const proximity = hardware.proximity;
      this.disposers.push(proximity.onChange(() => this.onProximity()));
    }
  }

  /** Starts the machines, reads the hardware as it is, and runs the RCD self-test. */
  start(): void {
    this.supervisor.start();
    this.machine.start();
    // The contactor starts open whatever the machine says; a closed mirror contact now is a weld.
    this.gate.open();
    judgeResidualCurrent(this.options.hardware.residualCurrent.readTrip(), this.reporter);
    this.onProximity();
    this.pilotMonitor.prime();
    this.updateLimit();
    this.meter.start();
    this.rcdSelfTest.run();
  }

  stop(): void {
    this.meter.stop();
    this.gate.open();
    for (const dispose of this.disposers) dispose();
    this.pilotMonitor.dispose();
    this.proximityGuard.dispose();
    this.lock?.dispose();
    this.temperature.dispose();
    this.rcdSelfTest.dispose();
    this.gate.dispose();
    this.machine.stop();
    this.supervisor.stop();
  }

  // —— inputs from the charger ——

  authorize(idTag: string | null): void {
    this.machine.send({ type: 'AUTHORIZED', idTag });
  }

  requestStop(reason: SessionStopReason): void {
    this.machine.send({ type: 'STOP', reason });
  }

  /** ChangeAvailability: an inoperative connector takes no new session (a running one goes on). */
  setOperative(operative: boolean): void {
    this.machine.send({ type: 'OPERATIVE', operative });
  }

  /** Settings that come from the backend at run time (OCPP ConnectionTimeOut, StopTransactionOnEVSideDisconnect). */
  configure(settings: SessionSettings): void {
    this.machine.send({ type: 'CONFIGURE', ...settings });
  }

  /** A limit from outside (OCPP smart charging), per phase, under the claimant's name; null withdraws that claim. */
  setExternalLimit(claim: string, amps: number | null): void {
    if (amps === null) this.externalClaims.delete(claim);
    else this.externalClaims.set(claim, amps);
    this.updateLimit();
  }

  /**
   * UnlockConnector: ends a session first (reason UnlockCommand), then releases the plug and
   * waits for the lock's feedback. A tethered cable has no lock: NotSupported.
   */
  async unlock(): Promise<'Unlocked' | 'UnlockFailed' | 'NotSupported'> {
    const lock = this.lock;
    const hardwareLock = this.options.hardware.lock;
    if (!lock || !hardwareLock) return 'NotSupported';
    const stopping = this.inSession;
    if (stopping) this.requestStop('UnlockCommand');
    lock.release();
    const { clock, safety } = this.options;
    // The EV may take until power-off-under-load to leave C, the contactor must open (the lock
    // refuses while the contacts may be live), then the lock moves.
    const timeoutMs = (stopping ? POWER_OFF_UNDER_LOAD_MS : 0) + safety.contactorFeedbackTimeoutMs + safety.lockTimeoutMs;
    const unlocked = await waitUntil(clock, () => lock.feedback === 'unlocked', (changed) => hardwareLock.onFeedback(changed), timeoutMs);
    return unlocked ? 'Unlocked' : 'UnlockFailed';
  }

  setSiteShare(amps: number): void {
    this.siteShareA = amps;
    this.updateLimit();
  }

  setStation(faults: readonly FaultState[], derate: DerateLevel): void {
    const earthWasLost = this.earthLost;
    this.stationFaults = faults;
    this.stationDerate = derate;
    // A CP reading A while earth was lost did not count as an unplug; with earth back, it does.
    if (earthWasLost && !this.earthLost && this.pilotMonitor.state === 'A') this.supervisor.send({ type: 'UNPLUGGED' });
    this.updateLimit();
    this.pushFaults();
  }

  /** Station-wide hazards open this connector's contactor at once (called before the station supervisor runs). */
  openNow(): void {
    this.gate.open();
  }

  /** Technician reset: clears latched faults whose condition is gone, and re-runs a failed RCD self-test. */
  reset(): FaultName[] {
    const before = this.localFaults.filter((f) => f.latched).map((f) => f.fault);
    this.supervisor.send({ type: 'RESET' });
    if (this.selfTestState === 'failed') this.rcdSelfTest.run();
    const stillLatched = new Set(this.localFaults.filter((f) => f.latched).map((f) => f.fault));
    return before.filter((fault) => !stillLatched.has(fault));
  }

  // —— what the charger reads ——

  get context(): ChargingPointContext {
    return this.machine.getSnapshot().context;
  }

  /** Whether the machine's state carries this tag (state-machines/charging-point-view.ts). */
  hasTag(tag: PointTag): boolean {
    return this.machine.getSnapshot().hasTag(tag);
  }

  /** OCPP 1.6 §7.7 status, from the state's meta. */
  get ocppStatus(): ChargePointStatus {
    return ocppStatusOf(this.machine.getSnapshot());
  }

  /** What the display shows for the state, from its meta. */
  get displayKey(): DisplayKey {
    return displayKeyOf(this.machine.getSnapshot());
  }

  /** The machine's state as a dotted path, for people (diagnostics, logs); never for logic. */
  get stateName(): string {
    return pointStateName(this.machine.getSnapshot());
  }

  get pilotState(): PilotState {
    return this.pilotMonitor.state;
  }

  /** What the limits allow now and which one decides (the machine holds the amps it was last told). */
  get allowed(): AllowedCurrent {
    return allowedCurrent(this.limits);
  }

  get currentLimits(): CurrentLimits {
    return this.limits;
  }

  /** The cable term of the current limit. */
  get cableRating(): number | null {
    return this.cableTermA;
  }

  get faults(): readonly FaultState[] {
    return [...this.localFaults, ...this.stationFaults];
  }

  /** The RCD self-test: passed only while fresh (app/safety/rcd-self-test.ts; the machine is told by SELF_TEST). */
  get selfTestState(): RcdSelfTestState {
    return this.rcdSelfTest.state;
  }

  get phases(): 1 | 3 {
    return this.options.config.phases;
  }

  get hardware(): ConnectorHardware {
    return this.options.hardware;
  }

  faultValues(fault: FaultName): FaultValues {
    return this.lastValues.get(fault) ?? {};
  }

  /** Whether a session is open (authorized, from plug-in to unplug or stop). */
  get inSession(): boolean {
    return this.sessionOpen;
  }

  // —— internals ——

  private raise(fault: FaultName, values: FaultValues): void {
    if (this.options.disabledInterlocks.has(fault)) return;
    this.gate.open();
    this.lastValues.set(fault, values);
    this.supervisor.send({ type: 'RAISE', fault, at: this.options.clock.now() });
  }

  private clear(fault: FaultName): void {
    this.supervisor.send({ type: 'CLEAR', fault, at: this.options.clock.now() });
  }

  /** This connector's faults, as its safety supervisor holds them. */
  private get localFaults(): FaultState[] {
    return faultStates(this.supervisor.getSnapshot());
  }

  private onLocalFaults(next: FaultState[]): void {
    const previous = new Map(this.reportedFaults.map((f) => [f.fault, f]));
    this.reportedFaults = next;
    for (const state of next) {
      const before = previous.get(state.fault) ?? null;
      previous.delete(state.fault);
      if (!before || before.phase !== state.phase) {
        this.options.events.faultChanged(this.id, state.fault, before, state, this.faultValues(state.fault));
      }
    }
    for (const gone of previous.values()) this.options.events.faultChanged(this.id, gone.fault, gone, null, {});
    this.pushFaults();
  }

  private pushFaults(): void {
    if (this.machine.getSnapshot().status !== 'active') return;
    const all = this.faults;
    const blocking = all.length > 0;
    const context = this.machine.getSnapshot().context;
    const stateF = all.some((f) => FAULTS[f.fault].pilotStateF);
    const reason: SessionStopReason = all.some((f) => f.fault === 'EmergencyStop') ? 'EmergencyStop' : 'Fault';
    if (context.blocked === blocking && context.blockingStateF === stateF && context.blockingReason === reason) return;
    this.machine.send({ type: 'FAULTS', blocking, stateF, reason });
  }

  private stopFault(reason: SessionStopReason): FaultName | null {
    if (reason !== 'Fault' && reason !== 'EmergencyStop') return null;
    return this.faults[0]?.fault ?? null;
  }

  /** The close preconditions read from the hardware and the connector's own records, not from the machine. */
  private hardwareCloseConditions(): HardwareCloseConditions {
    const { hardware, config } = this.options;
    return {
      pilot: this.pilotMonitor.state,
      ventilationAvailable: this.options.ventilationAvailable,
      authorized: this.sessionOpen,
      cableRatingA: this.measuredCableRating(),
      lockRequired: config.kind === 'socket',
      lockConfirmed: hardware.lock?.readFeedback() === 'locked',
      faultActive: this.faults.length > 0,
      rcdTripped: hardware.residualCurrent.readTrip() !== null,
      rcdSelfTestPassed: this.selfTestState === 'passed',
      diodeVerified: this.pilotMonitor.diodeVerified,
      allowedCurrentA: this.allowed.amps,
      meterReady: this.meter.lastReading !== null,
    };
  }

  /** The cable's rating as the PP reads it now (a tethered cable's is fixed). */
  private measuredCableRating(): number | null {
    const proximity = this.options.hardware.proximity;
    if (!proximity) return this.options.config.cableRatingA ?? null;
    const reading = proximity.read();
    return reading.kind === 'cable' ? reading.ratingA : null;
  }

  private setPilot(output: Parameters<ConnectorHardware['pilot']['setOutput']>[0], offeredA: number): void {
    this.options.hardware.pilot.setOutput(output);
    this.overcurrent.setOffered(offeredA, this.options.clock.now());
  }

  /** Without protective earth the CP reads A with the EV still plugged in: that is no unplug. */
  private get earthLost(): boolean {
    return this.stationFaults.some((f) => f.fault === 'GroundLoss');
  }

  private onPilotState(state: PilotState): void {
    if (state === 'A' && !this.earthLost) this.supervisor.send({ type: 'UNPLUGGED' });
    this.machine.send({ type: 'PILOT', state });
    this.onProximity();
  }

  private onProximity(): void {
    const proximity = this.options.hardware.proximity;
    if (!proximity) return;
    const reading = proximity.read();
    const rating = reading.kind === 'cable' ? reading.ratingA : null;
    this.proximityGuard.check(reading);
    if (rating !== this.context.cableRatingA) this.machine.send({ type: 'CABLE', ratingA: rating });
    // While a session lasts the cable term never rises and is never dropped: a PP that reads
    // open or invalid cannot vouch for a better cable than the one the session began with.
    const term = this.sessionOpen && this.cableTermA !== null ? (rating === null ? this.cableTermA : Math.min(rating, this.cableTermA)) : rating;
    if (term !== this.cableTermA) {
      this.cableTermA = term;
      this.updateLimit();
    }
  }

  private onSelfTest(state: RcdSelfTestState): void {
    if (state === 'passed') {
      this.clear('ResidualCurrentSelfTestFailed');
    } else if (state === 'failed') {
      this.reporter.raise('ResidualCurrentSelfTestFailed', { result: 'no trip' });
      this.reporter.clear('ResidualCurrentSelfTestFailed');
    }
    this.machine.send({ type: 'SELF_TEST', passed: state === 'passed' });
  }

  private onMeterReading(reading: MeterReading, at: number): void {
    if (!this.machine.getSnapshot().context.meterReady) this.machine.send({ type: 'METER_READY' });
    this.mainsVoltage.check(reading, at);
    if (this.gate.feedback === 'closed') this.overcurrent.check(reading, at);
  }

  /** Recomputes the allowed current from every limit that applies (current-limit.ts decides). */
  private updateLimit(): void {
    const { config } = this.options;
    const derate = worse(this.temperature?.derateLevel ?? 'none', this.stationDerate);
    const limits: Record<string, number> = {
      connector: config.maxCurrentA,
      site: this.siteShareA,
      temperature: deratedCurrent(derate, config.maxCurrentA),
    };
    if (this.cableTermA !== null) limits.cable = this.cableTermA;
    if (this.externalClaims.size > 0) limits.external = Math.min(...this.externalClaims.values());
    this.limits = limits;
    // The machine holds the amps it was last told (allowedCurrentA): tell it when they change.
    const snapshot = this.machine?.getSnapshot();
    const { amps } = this.allowed;
    if (snapshot?.status === 'active' && amps !== snapshot.context.allowedCurrentA) this.machine.send({ type: 'LIMIT', amps });
  }
}

const DERATE_RANK: Record<DerateLevel, number> = { none: 0, half: 1, quarter: 2, stop: 3 };

function worse(a: DerateLevel, b: DerateLevel): DerateLevel {
  return DERATE_RANK[a] >= DERATE_RANK[b] ? a : b;
}
