// One connector as the co-processor serves it: the HAL devices (pilot, proximity, contactor, RCD,
// socket temperature, lock) over the CAN link. Commands go out as frames; reports from the MCU
// update the readings and fire the listeners. No IEC 61851 logic here: the MCU measures and
// switches, the app decides (docs/can-coprocessor-protocol.md).

import type { Clock, TimerHandle } from '../clock.js';
import type {
  ConnectorLock,
  Contactor,
  ControlPilot,
  Listener,
  LockPosition,
  PilotLevels,
  PilotOutput,
  ProximityPilot,
  ProximityReading,
  ResidualCurrentMonitor,
  ResidualCurrentTrip,
  SwitchPosition,
  TemperatureLocation,
  TemperatureSensor,
  Unsubscribe,
} from '../interfaces.js';
import { proximityFromResistance } from '../proximity-resistance.js';
import {
  encodePilotWord,
  type AppFrame,
  type PilotLevelsReport,
  type ProximityReport,
  type RcdTestResultReport,
  type StatusReport,
  type TemperatureReport,
} from './frames.js';
import { Listeners } from '../listeners.js';

/**
 * How long an RCD self-test may take, from the request to the MCU's result, including the wait
 * for a live link (the MCU finishes a test within 1 s). No answer in time is a failed test.
 */
export const RCD_SELF_TEST_TIMEOUT_MS = 5000;

/** What a connector needs from the link. */
export interface CoprocessorLinkPort {
  readonly clock: Clock;
  send(frame: AppFrame): boolean;
  isAlive(): boolean;
  onChange(listener: Listener<boolean>): Unsubscribe;
}

/** Until the MCU's first report: no EV (+12 V, state A), no cable, contacts open, no temperature. */
const INITIAL_LEVELS: PilotLevels = Object.freeze({ positiveV: 12, negativeV: null });
const HIGH: PilotOutput = Object.freeze({ mode: 'high' });
const ERROR: PilotOutput = Object.freeze({ mode: 'error' });

function copyOutput(output: PilotOutput): PilotOutput {
  encodePilotWord(output); // throws on a mode or duty the protocol cannot carry
  if (output.mode === 'high') return HIGH;
  if (output.mode === 'error') return ERROR;
  return Object.freeze({ mode: 'pwm', dutyPercent: output.dutyPercent });
}

function sameProximity(a: ProximityReading, b: ProximityReading): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'noCable') return true;
  if (a.ohms !== (b as typeof a).ohms) return false;
  return a.kind !== 'cable' || a.ratingA === (b as typeof a).ratingA;
}

interface PendingSelfTest {
  readonly sequence: number;
  readonly promise: Promise<boolean>;
  finish(passed: boolean): void;
}

export class CoprocessorConnector {
  readonly pilot: ControlPilot;
  readonly proximity: ProximityPilot;
  readonly contactor: Contactor;
  readonly residualCurrent: ResidualCurrentMonitor;
  readonly socketTemperature: TemperatureSensor;
  readonly lock: ConnectorLock | null;

  // Commands (what the app last asked for).
  pilotOutput: PilotOutput = HIGH;
  contactorCommanded: SwitchPosition = 'open';
  lockCommanded: LockPosition = 'unlocked';

  // Readings (what the MCU last reported).
  levels: PilotLevels = INITIAL_LEVELS;
  proximityReading: ProximityReading = proximityFromResistance(Number.POSITIVE_INFINITY);
  mirror: SwitchPosition = 'open';
  residualCurrentTrip: ResidualCurrentTrip | null = null;
  temperatureC: number | null = null;
  lockFeedback: LockPosition = 'unlocked';
  /** The MCU's last status frame for this connector (fault flags, applied output), null before the first. */
  status: StatusReport | null = null;

  readonly levelsListeners = new Listeners<PilotLevels>();
  readonly proximityListeners = new Listeners<ProximityReading>();
  readonly feedbackListeners = new Listeners<SwitchPosition>();
  readonly tripListeners = new Listeners<ResidualCurrentTrip | null>();
  readonly temperatureListeners = new Listeners<number | null>();
  readonly lockListeners = new Listeners<LockPosition>();

  private selfTestSequence = 0;
  private pendingSelfTest: PendingSelfTest | null = null;

  constructor(
    readonly connectorId: number,
    readonly hasLock: boolean,
    private readonly link: CoprocessorLinkPort,
  ) {
    this.pilot = new CanControlPilot(this);
    this.proximity = new CanProximityPilot(this);
    this.contactor = new CanContactor(this);
    this.residualCurrent = new CanResidualCurrentMonitor(this);
    this.socketTemperature = new CanTemperatureSensor(this, 'socket');
    this.lock = hasLock ? new CanConnectorLock(this) : null;
  }

  // —— commands ——

  setPilotOutput(output: PilotOutput): void {
    this.pilotOutput = copyOutput(output);
    this.link.send({ kind: 'pilotCommand', connectorId: this.connectorId, output: this.pilotOutput });
  }

  setContactor(position: SwitchPosition): void {
    this.contactorCommanded = position;
    this.link.send({ kind: 'powerCommand', connectorId: this.connectorId, allow: position === 'closed' });
  }

  setLock(position: LockPosition): void {
    this.lockCommanded = position;
    this.link.send({ kind: 'lockCommand', connectorId: this.connectorId, position });
  }

  /** The full command state, re-sent periodically and whenever the MCU (re)enters running. */
  commands(): AppFrame[] {
    const { connectorId } = this;
    const frames: AppFrame[] = [
      { kind: 'pilotCommand', connectorId, output: this.pilotOutput },
      { kind: 'powerCommand', connectorId, allow: this.contactorCommanded === 'closed' },
    ];
    if (this.hasLock) frames.push({ kind: 'lockCommand', connectorId, position: this.lockCommanded });
    return frames;
  }

  selfTest(): Promise<boolean> {
    if (this.pendingSelfTest) return this.pendingSelfTest.promise;
    const { link, connectorId } = this;
    const sequence = (this.selfTestSequence = (this.selfTestSequence + 1) & 0xff);
    let timer: TimerHandle | null = null;
    let waitForLink: Unsubscribe | null = null;
    let resolve!: (passed: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    const pending: PendingSelfTest = {
      sequence,
      promise,
      finish: (passed) => {
        if (this.pendingSelfTest !== pending) return;
        this.pendingSelfTest = null;
        if (timer !== null) link.clock.clearTimeout(timer);
        waitForLink?.();
        resolve(passed);
      },
    };
    this.pendingSelfTest = pending;
    timer = link.clock.setTimeout(() => {
      timer = null;
      pending.finish(false);
    }, RCD_SELF_TEST_TIMEOUT_MS);
    const request = () => link.send({ kind: 'rcdTestCommand', connectorId, sequence });
    // A request sent while the MCU is silent or not yet running may be lost: send it once the link is alive.
    if (link.isAlive()) {
      request();
    } else {
      waitForLink = link.onChange((alive) => {
        if (!alive) return;
        waitForLink?.();
        waitForLink = null;
        request();
      });
    }
    return promise;
  }

  // —— reports ——

  applyStatus(report: StatusReport): void {
    this.status = report;
    // Every reading is updated before any listener hears, so each sees the whole frame.
    const steps: (() => void)[] = [];
    // The RCD first: it is the most urgent news a status frame can carry.
    if (report.residualCurrent !== this.residualCurrentTrip) {
      this.residualCurrentTrip = report.residualCurrent;
      steps.push(() => this.tripListeners.emit(report.residualCurrent));
    }
    if (report.contactorMirror !== this.mirror) {
      this.mirror = report.contactorMirror;
      steps.push(() => this.feedbackListeners.emit(report.contactorMirror));
    }
    if (this.hasLock && report.lock !== null && report.lock !== this.lockFeedback) {
      const lock = report.lock;
      this.lockFeedback = lock;
      steps.push(() => this.lockListeners.emit(lock));
    }
    for (const step of steps) step();
  }

  applyLevels(report: PilotLevelsReport): void {
    const levels: PilotLevels = Object.freeze({
      positiveV: report.highMv / 1000,
      negativeV: report.lowMv === null ? null : report.lowMv / 1000,
    });
    if (levels.positiveV === this.levels.positiveV && levels.negativeV === this.levels.negativeV) return;
    this.levels = levels;
    this.levelsListeners.emit(levels);
  }

  applyProximity(report: ProximityReport): void {
    const reading = proximityFromResistance(report.ohms);
    if (sameProximity(reading, this.proximityReading)) return;
    this.proximityReading = reading;
    this.proximityListeners.emit(reading);
  }

  applyTemperature(report: TemperatureReport): void {
    this.setTemperature(report.celsius);
  }

  applySelfTestResult(report: RcdTestResultReport): void {
    const pending = this.pendingSelfTest;
    if (pending && pending.sequence === report.sequence) pending.finish(report.result === 'passed');
  }

  /** The MCU fell silent: a temperature nobody measures is unknown. Other readings keep their last value. */
  linkLost(): void {
    this.setTemperature(null);
  }

  dispose(): void {
    this.pendingSelfTest?.finish(false);
  }

  private setTemperature(celsius: number | null): void {
    if (celsius === this.temperatureC) return;
    this.temperatureC = celsius;
    this.temperatureListeners.emit(celsius);
  }
}

class CanControlPilot implements ControlPilot {
  constructor(private readonly port: CoprocessorConnector) {}

  setOutput(output: PilotOutput): void {
    this.port.setPilotOutput(output);
  }

  get output(): PilotOutput {
    return this.port.pilotOutput;
  }

  read(): PilotLevels {
    return this.port.levels;
  }

  onLevels(listener: Listener<PilotLevels>): Unsubscribe {
    return this.port.levelsListeners.subscribe(listener);
  }
}

class CanProximityPilot implements ProximityPilot {
  constructor(private readonly port: CoprocessorConnector) {}

  read(): ProximityReading {
    return this.port.proximityReading;
  }

  onChange(listener: Listener<ProximityReading>): Unsubscribe {
    return this.port.proximityListeners.subscribe(listener);
  }
}

class CanContactor implements Contactor {
  constructor(private readonly port: CoprocessorConnector) {}

  /** Sends allow-power: the MCU closes only while its own conditions hold (CP C/D, no RCD trip, cool). */
  close(): void {
    this.port.setContactor('closed');
  }

  open(): void {
    this.port.setContactor('open');
  }

  get commanded(): SwitchPosition {
    return this.port.contactorCommanded;
  }

  readFeedback(): SwitchPosition {
    return this.port.mirror;
  }

  onFeedback(listener: Listener<SwitchPosition>): Unsubscribe {
    return this.port.feedbackListeners.subscribe(listener);
  }
}

class CanResidualCurrentMonitor implements ResidualCurrentMonitor {
  constructor(private readonly port: CoprocessorConnector) {}

  readTrip(): ResidualCurrentTrip | null {
    return this.port.residualCurrentTrip;
  }

  onTrip(listener: Listener<ResidualCurrentTrip | null>): Unsubscribe {
    return this.port.tripListeners.subscribe(listener);
  }

  selfTest(): Promise<boolean> {
    return this.port.selfTest();
  }
}

class CanTemperatureSensor implements TemperatureSensor {
  constructor(
    private readonly port: CoprocessorConnector,
    readonly location: TemperatureLocation,
  ) {}

  read(): number | null {
    return this.port.temperatureC;
  }

  onChange(listener: Listener<number | null>): Unsubscribe {
    return this.port.temperatureListeners.subscribe(listener);
  }
}

class CanConnectorLock implements ConnectorLock {
  constructor(private readonly port: CoprocessorConnector) {}

  lock(): void {
    this.port.setLock('locked');
  }

  unlock(): void {
    this.port.setLock('unlocked');
  }

  get commanded(): LockPosition {
    return this.port.lockCommanded;
  }

  readFeedback(): LockPosition {
    return this.port.lockFeedback;
  }

  onFeedback(listener: Listener<LockPosition>): Unsubscribe {
    return this.port.lockListeners.subscribe(listener);
  }
}
