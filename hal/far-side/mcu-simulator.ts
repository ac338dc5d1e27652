// A simulated safety co-processor that behaves as docs/can-coprocessor-protocol.md says the
// firmware does: it answers on a raw CAN channel (the fake's or a real one on vcan0), applies PWM
// and allow-power, opens the contactor by itself on CP not C/D, RCD trip and over-temperature,
// falls back to its safe state when the app's heartbeat stops, and reports at the documented
// rates. What the CP measures comes from a callback; the rest of the world (PP, temperature, RCD,
// a welded contactor, a jammed lock) from per-connector inputs a test sets. Tests can silence
// it, restart it, and make it send corrupt frames.

import type { Clock, TimerHandle } from '../clock.js';
import type { LockPosition, PilotLevels, PilotOutput, ResidualCurrentTrip, SwitchPosition } from '../interfaces.js';
import {
  counterAccepted,
  CounterSequence,
  CounterTracker,
  CRC_BYTE,
  decodeFrame,
  encodeFrame,
  FAULT_FLAGS,
  FRAME_LAYOUT,
  frameId,
  PROTOCOL_VERSION,
  type AppFrame,
  type FrameKind,
  type McuFrame,
  type McuState,
  type RcdTestResult,
} from '../can/frames.js';
import type { CanMessage, RawChannelLike } from '../can/socketcan-api.js';

export interface McuTiming {
  readonly tickMs: number;
  readonly heartbeatIntervalMs: number;
  readonly appHeartbeatTimeoutMs: number;
  readonly levelsIntervalMs: number;
  readonly statusIntervalMs: number;
  readonly proximityIntervalMs: number;
  readonly temperatureIntervalMs: number;
  /** The mirror contact follows the coil after this long. */
  readonly contactorMs: number;
  /** Mirror disagreeing with the coil this long: welded / not closed. */
  readonly contactorCheckMs: number;
  readonly lockMs: number;
  readonly lockCheckMs: number;
  readonly selfTestMs: number;
  /** CP outside C/D this long while the coil is driven: the MCU opens. */
  readonly cpDebounceMs: number;
  /** This long in the safe state (in F), the MCU releases the plug if the contacts are open. */
  readonly unlockInSafeAfterMs: number;
  readonly overTemperatureC: number;
  readonly overTemperatureRestoreC: number;
}

/** The documented firmware's figures. */
export const MCU_DEFAULT_TIMING: McuTiming = Object.freeze({
  tickMs: 10,
  heartbeatIntervalMs: 100,
  appHeartbeatTimeoutMs: 300,
  levelsIntervalMs: 50,
  statusIntervalMs: 100,
  proximityIntervalMs: 200,
  temperatureIntervalMs: 1000,
  contactorMs: 20,
  contactorCheckMs: 200,
  lockMs: 100,
  lockCheckMs: 1000,
  selfTestMs: 200,
  cpDebounceMs: 20,
  unlockInSafeAfterMs: 5000,
  overTemperatureC: 80,
  overTemperatureRestoreC: 75,
});

/** The world at one connector, as a test sets it. */
export interface McuConnectorInputs {
  /** PP–PE resistance; Infinity: no cable. */
  proximityOhms: number;
  temperatureC: number | null;
  residualCurrent: ResidualCurrentTrip | null;
  /** The mirror contact stays closed whatever the coil does. */
  welded: boolean;
  /** The mirror contact stays open whatever the coil does. */
  wontClose: boolean;
  lockJammed: boolean;
  /** What the next RCD self-test finds (unless refused because the contacts are closed). */
  selfTestResult: RcdTestResult;
}

/** What the simulated MCU does at one connector. */
export interface McuConnectorState {
  readonly connectorId: number;
  readonly pilotOutput: PilotOutput;
  /** The app's last allow-power. */
  readonly allowPower: boolean;
  readonly contactorDrive: boolean;
  readonly contactorMirror: SwitchPosition;
  readonly lock: LockPosition | null;
  readonly faults: number;
  readonly levels: PilotLevels;
  /** The MCU opened by itself (or went safe) and waits for allow-power = 0. */
  readonly awaitingAcknowledge: boolean;
}

export interface McuSimulatorOptions {
  readonly baseId: number;
  readonly connectors: readonly { connectorId: number; hasLock: boolean }[];
  readonly clock: Clock;
  /** What the CP measures while the MCU drives `output` (A1). Default: no EV (state A). */
  readonly levels?: (connectorId: number, output: PilotOutput) => PilotLevels;
  readonly timing?: Partial<McuTiming>;
}

export type Corruption = 'crc' | 'repeat' | 'dlc';

const STATE_F: PilotOutput = Object.freeze({ mode: 'error' });

/** An open CP line: the generator's own levels. */
export function unloadedLevels(output: PilotOutput): PilotLevels {
  if (output.mode === 'error') return { positiveV: -12, negativeV: null };
  return { positiveV: 12, negativeV: output.mode === 'pwm' ? -12 : null };
}

/** Flags that keep the coil released while set. */
const BLOCKING =
  FAULT_FLAGS.cpNotChargingWhilePowered |
  FAULT_FLAGS.residualCurrentTrip |
  FAULT_FLAGS.overTemperature |
  FAULT_FLAGS.contactorWelded |
  FAULT_FLAGS.contactorNotClosed |
  FAULT_FLAGS.appWatchdog |
  FAULT_FLAGS.pilotFault |
  FAULT_FLAGS.temperatureSensor |
  FAULT_FLAGS.residualCurrentSelfTest |
  FAULT_FLAGS.mcuInternal;

interface Sent {
  levels: PilotLevels | null;
  levelsAt: number;
  status: string | null;
  statusAt: number;
  ohms: number | null;
  proximityAt: number;
  temperature: number | null | undefined;
  temperatureAt: number;
}

class SimConnector {
  readonly inputs: McuConnectorInputs = {
    proximityOhms: Number.POSITIVE_INFINITY,
    temperatureC: 25,
    residualCurrent: null,
    welded: false,
    wontClose: false,
    lockJammed: false,
    selfTestResult: 'passed',
  };
  output: PilotOutput = STATE_F;
  allow = false;
  awaitingAck = true;
  drive = false;
  driveChangedAt = 0;
  mirror: SwitchPosition = 'open';
  faults = 0;
  cpBadSince: number | null = null;
  lockTarget: LockPosition = 'unlocked';
  lockPosition: LockPosition = 'unlocked';
  lockCommandAt = 0;
  levels: PilotLevels = unloadedLevels(STATE_F);
  selfTest: { sequence: number; doneAt: number } | null = null;
  sent: Sent = { levels: null, levelsAt: -Infinity, status: null, statusAt: -Infinity, ohms: null, proximityAt: -Infinity, temperature: undefined, temperatureAt: -Infinity };

  constructor(
    readonly connectorId: number,
    readonly hasLock: boolean,
  ) {}
}

export class McuSimulator {
  /** While true the MCU sends nothing (its logic keeps running, as with a broken transmitter). */
  silent = false;
  /** App frames it accepted, oldest first (the newest 1000). */
  readonly accepted: AppFrame[] = [];
  /** App frames it dropped (CRC, DLC, counter, value). */
  droppedFrames = 0;
  appHeartbeatsReceived = 0;
  lastAppHeartbeat: { readonly counter: number; readonly state: 'running' | 'stopping'; readonly requestReports: boolean; readonly at: number } | null = null;

  private readonly timing: McuTiming;
  private readonly connectors = new Map<number, SimConnector>();
  private readonly levelsOf: (connectorId: number, output: PilotOutput) => PilotLevels;
  private readonly sequence = new CounterSequence();
  private readonly tracker = new CounterTracker();
  private corruptions: { corruption: Corruption; kind: FrameKind | null; remaining: number }[] = [];
  private mcuState: McuState = 'booting';
  /** When the MCU last left running (or booted). */
  private safeSince: number;
  private bootAt: number;
  private appHeardAt = -Infinity;
  private internalFault = false;
  private nextHeartbeatAt = -Infinity;
  private timer: TimerHandle | null = null;
  private listening = false;

  constructor(
    private readonly channel: RawChannelLike,
    private readonly options: McuSimulatorOptions,
  ) {
    this.timing = { ...MCU_DEFAULT_TIMING, ...options.timing };
    this.levelsOf = options.levels ?? ((_id, output) => unloadedLevels(output));
    for (const { connectorId, hasLock } of options.connectors) this.connectors.set(connectorId, new SimConnector(connectorId, hasLock));
    this.bootAt = this.safeSince = options.clock.now();
  }

  get state(): McuState {
    return this.mcuState;
  }

  get uptimeMs(): number {
    return this.options.clock.now() - this.bootAt;
  }

  /** The world at a connector: set its fields to change what the MCU measures. */
  inputs(connectorId: number): McuConnectorInputs {
    return this.connector(connectorId).inputs;
  }

  connectorState(connectorId: number): McuConnectorState {
    const c = this.connector(connectorId);
    return {
      connectorId,
      pilotOutput: c.output,
      allowPower: c.allow,
      contactorDrive: c.drive,
      contactorMirror: c.mirror,
      lock: c.hasLock ? c.lockPosition : null,
      faults: c.faults,
      levels: c.levels,
      awaitingAcknowledge: c.awaitingAck,
    };
  }

  /** Starts the channel (if not yet) and the MCU's 10 ms cycle. */
  start(): void {
    if (this.timer !== null) return;
    if (!this.listening) {
      this.channel.addListener('onMessage', (message) => this.receive(message));
      this.channel.start();
      this.listening = true;
    }
    this.tick();
    this.timer = this.options.clock.setInterval(() => this.tick(), this.timing.tickMs);
  }

  /** Stops the cycle (a halted MCU: no frames, no reactions). The channel stays open. */
  stop(): void {
    if (this.timer !== null) this.options.clock.clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops the cycle and the channel. */
  close(): void {
    this.stop();
    this.channel.stop();
  }

  /** The next `count` frames (of `kind`, or any) go out corrupted. */
  corruptNext(corruption: Corruption, options: { count?: number; kind?: FrameKind } = {}): void {
    this.corruptions.push({ corruption, kind: options.kind ?? null, remaining: options.count ?? 1 });
  }

  /** A reset: uptime from 0, counters from 0, every output safe, waiting for the app. */
  reboot(): void {
    const now = this.options.clock.now();
    this.bootAt = this.safeSince = now;
    this.mcuState = 'booting';
    this.sequence.reset();
    this.tracker.reset();
    this.appHeardAt = -Infinity;
    this.internalFault = false;
    this.nextHeartbeatAt = now;
    for (const [id, old] of this.connectors) {
      const fresh = new SimConnector(id, old.hasLock);
      Object.assign(fresh.inputs, old.inputs);
      // The contacts and the lock are where they are; the coil is released at reset.
      fresh.mirror = old.mirror;
      fresh.lockPosition = fresh.lockTarget = old.lockPosition;
      fresh.driveChangedAt = now;
      this.connectors.set(id, fresh);
    }
  }

  /** The MCU's self-check fails: state fault, everything safe, until reboot(). */
  failInternally(): void {
    this.internalFault = true;
    this.enterSafe('fault');
  }

  /** Sends every report now. */
  sendReports(): void {
    const now = this.options.clock.now();
    this.sendHeartbeat(now);
    for (const c of this.connectors.values()) this.report(c, now, true);
  }

  // —— receiving ——

  private receive(message: CanMessage): void {
    if (message.err || message.ext) return;
    const result = decodeFrame(this.options.baseId, message);
    if (!result.ok) {
      if (result.error !== 'foreign') this.droppedFrames++;
      return;
    }
    const frame = result.payload;
    if (FRAME_LAYOUT[frame.kind].from !== 'app' || message.rtr) return;
    if (!counterAccepted(this.tracker.check(message.id, result.counter))) {
      this.droppedFrames++;
      return;
    }
    const app = frame as AppFrame;
    const c = 'connectorId' in app ? this.connectors.get(app.connectorId) : undefined;
    if ('connectorId' in app && !c) {
      this.droppedFrames++;
      return;
    }
    this.accepted.push(app);
    if (this.accepted.length > 1000) this.accepted.shift();
    const now = this.options.clock.now();
    const running = this.mcuState === 'running';
    switch (app.kind) {
      case 'appHeartbeat':
        this.appHeartbeatsReceived++;
        this.lastAppHeartbeat = { counter: result.counter, state: app.state, requestReports: app.requestReports, at: now };
        if (app.state === 'stopping') {
          this.appHeardAt = -Infinity;
          if (running) this.enterSafe('safe');
        } else {
          this.appHeardAt = now;
          if (app.requestReports) for (const each of this.connectors.values()) this.report(each, now, true);
        }
        break;
      case 'pilotCommand':
        // Outside running the MCU holds state F; the app sends its outputs again when it sees running.
        if (running) {
          c!.output = app.output;
          this.sample(c!, now);
          this.evaluate(c!, now); // state F commanded releases the coil at once
          this.report(c!, now, false);
        }
        break;
      case 'powerCommand':
        c!.allow = app.allow;
        if (!app.allow) c!.awaitingAck = false;
        if (running) {
          this.evaluate(c!, now);
          this.report(c!, now, false);
        }
        break;
      case 'lockCommand':
        if (running && c!.hasLock && c!.lockTarget !== app.position) {
          c!.lockTarget = app.position;
          c!.lockCommandAt = now;
        }
        break;
      case 'rcdTestCommand':
        if (c!.drive || c!.mirror === 'closed') {
          this.send({ kind: 'rcdTestResult', connectorId: c!.connectorId, sequence: app.sequence, result: 'refused' });
        } else {
          c!.selfTest = { sequence: app.sequence, doneAt: now + this.timing.selfTestMs };
        }
        break;
    }
  }

  // —— the 10 ms cycle ——

  private tick(): void {
    const now = this.options.clock.now();
    const { timing } = this;
    const appFresh = now - this.appHeardAt <= timing.appHeartbeatTimeoutMs;
    if (this.mcuState === 'booting') this.mcuState = this.internalFault ? 'fault' : 'safe';
    if (this.mcuState === 'running' && !appFresh) this.enterSafe('safe');
    // The watchdog flag clears, like every flag, when its condition is gone and the app has acknowledged.
    for (const c of this.connectors.values()) if (appFresh && !c.awaitingAck) c.faults &= ~FAULT_FLAGS.appWatchdog;
    if (this.mcuState === 'safe' && appFresh && [...this.connectors.values()].every((c) => !c.awaitingAck && (c.faults & FAULT_FLAGS.appWatchdog) === 0)) {
      this.mcuState = 'running';
      // A full report set on entering running, so the app need not wait for the slow ones.
      for (const c of this.connectors.values()) c.sent = { ...c.sent, levelsAt: -Infinity, statusAt: -Infinity, proximityAt: -Infinity, temperatureAt: -Infinity };
      this.nextHeartbeatAt = now;
    }
    for (const c of this.connectors.values()) {
      this.sample(c, now);
      this.evaluate(c, now);
      this.moveLock(c, now);
      this.runSelfTest(c, now);
      this.report(c, now, false);
    }
    if (now >= this.nextHeartbeatAt) {
      this.sendHeartbeat(now);
      this.nextHeartbeatAt = now + timing.heartbeatIntervalMs;
    }
  }

  private enterSafe(state: 'safe' | 'fault'): void {
    const now = this.options.clock.now();
    const fromRunning = this.mcuState === 'running';
    if (fromRunning) this.safeSince = now;
    this.mcuState = state;
    for (const c of this.connectors.values()) {
      c.output = STATE_F;
      c.awaitingAck = true;
      if (fromRunning) c.faults |= FAULT_FLAGS.appWatchdog;
      if (state === 'fault') c.faults |= FAULT_FLAGS.mcuInternal;
      this.setDrive(c, false, now);
      this.sample(c, now);
      this.report(c, now, false);
    }
  }

  private sample(c: SimConnector, now: number): void {
    c.levels = this.levelsOf(c.connectorId, c.output);
    // The contacts follow the coil after contactorMs, unless welded or unable to close.
    if (now - c.driveChangedAt >= this.timing.contactorMs) {
      const next: SwitchPosition = c.inputs.welded ? 'closed' : c.inputs.wontClose ? 'open' : c.drive ? 'closed' : 'open';
      c.mirror = next;
    }
  }

  /** The MCU's own safety duties, then whether the coil may be energised. */
  private evaluate(c: SimConnector, now: number): void {
    const { timing } = this;
    const flags = FAULT_FLAGS;
    const raise = (flag: number) => {
      if ((c.faults & flag) === 0) {
        c.faults |= flag;
        if (flag & BLOCKING) c.awaitingAck = true;
      }
    };
    const cpInChargeBand = c.levels.positiveV >= 2 && c.levels.positiveV <= 8; // A1: C (and its hysteresis) or D
    const t = c.inputs.temperatureC;
    const rcd = c.selfTest ? null : c.inputs.residualCurrent; // the test current is the MCU's own
    // Hazards: each raises its flag and opens at once (CP after its debounce).
    if (c.drive && c.output.mode === 'pwm' && !cpInChargeBand) {
      c.cpBadSince ??= now;
      if (now - c.cpBadSince >= timing.cpDebounceMs) raise(flags.cpNotChargingWhilePowered);
    } else {
      c.cpBadSince = null;
    }
    if (rcd) raise(flags.residualCurrentTrip);
    if (t === null) raise(flags.temperatureSensor);
    else if (t >= timing.overTemperatureC) raise(flags.overTemperature);
    const sinceSwitch = now - c.driveChangedAt;
    if (!c.drive && c.mirror === 'closed' && sinceSwitch >= timing.contactorCheckMs) raise(flags.contactorWelded);
    if (c.drive && c.mirror === 'open' && sinceSwitch >= timing.contactorCheckMs) raise(flags.contactorNotClosed);
    // A flag clears when its condition is gone and the app has acknowledged with allow-power = 0.
    if (!c.awaitingAck) {
      const gone: number[] = [flags.cpNotChargingWhilePowered, flags.contactorNotClosed];
      if (!rcd) gone.push(flags.residualCurrentTrip);
      if (t !== null) gone.push(flags.temperatureSensor);
      if (t !== null && t < timing.overTemperatureRestoreC) gone.push(flags.overTemperature);
      if (c.mirror === 'open') gone.push(flags.contactorWelded);
      for (const flag of gone) c.faults &= ~flag;
    }
    const mayDrive =
      this.mcuState === 'running' &&
      c.allow &&
      !c.awaitingAck &&
      (c.faults & BLOCKING) === 0 &&
      c.output.mode === 'pwm' &&
      rcd === null &&
      (c.drive || cpInChargeBand);
    this.setDrive(c, mayDrive, now);
    // In the safe state the plug is released once the contacts are surely open.
    if (this.mcuState !== 'running' && c.hasLock && c.mirror === 'open' && now - this.safeSince >= timing.unlockInSafeAfterMs && c.lockTarget !== 'unlocked') {
      c.lockTarget = 'unlocked';
      c.lockCommandAt = now;
    }
  }

  private setDrive(c: SimConnector, drive: boolean, now: number): void {
    if (c.drive === drive) return;
    c.drive = drive;
    c.driveChangedAt = now;
  }

  private moveLock(c: SimConnector, now: number): void {
    if (!c.hasLock || c.lockPosition === c.lockTarget) {
      c.faults &= ~FAULT_FLAGS.lockFault;
      return;
    }
    if (c.inputs.lockJammed) {
      if (now - c.lockCommandAt >= this.timing.lockCheckMs) c.faults |= FAULT_FLAGS.lockFault;
      return;
    }
    if (now - c.lockCommandAt >= this.timing.lockMs) c.lockPosition = c.lockTarget;
  }

  private runSelfTest(c: SimConnector, now: number): void {
    if (!c.selfTest || now < c.selfTest.doneAt) return;
    const { sequence } = c.selfTest;
    c.selfTest = null;
    const result = c.inputs.selfTestResult;
    if (result === 'passed') c.faults &= ~FAULT_FLAGS.residualCurrentSelfTest;
    else if (result !== 'refused') c.faults |= FAULT_FLAGS.residualCurrentSelfTest;
    this.send({ kind: 'rcdTestResult', connectorId: c.connectorId, sequence, result });
  }

  // —— reporting ——

  private report(c: SimConnector, now: number, force: boolean): void {
    const { timing } = this;
    const { sent, connectorId } = c;
    const levels = c.levels;
    const levelsMoved =
      !sent.levels ||
      Math.abs(levels.positiveV - sent.levels.positiveV) >= 0.5 ||
      (levels.negativeV === null) !== (sent.levels.negativeV === null) ||
      (levels.negativeV !== null && Math.abs(levels.negativeV - sent.levels.negativeV!) >= 0.5);
    if (force || levelsMoved || now - sent.levelsAt >= timing.levelsIntervalMs) {
      sent.levels = levels;
      sent.levelsAt = now;
      this.send({
        kind: 'pilotLevels',
        connectorId,
        highMv: Math.round(levels.positiveV * 1000),
        lowMv: levels.negativeV === null ? null : Math.round(levels.negativeV * 1000),
      });
    }
    const status = {
      kind: 'status' as const,
      connectorId,
      faults: c.faults,
      contactorMirror: c.mirror,
      contactorDrive: c.drive,
      powerAllowed: this.mcuState === 'running' && c.allow && !c.awaitingAck,
      lock: c.hasLock ? c.lockPosition : null,
      residualCurrent: c.selfTest ? null : c.inputs.residualCurrent,
      pilotOutput: c.output,
    };
    const key = JSON.stringify(status);
    if (force || key !== sent.status || now - sent.statusAt >= timing.statusIntervalMs) {
      sent.status = key;
      sent.statusAt = now;
      this.send(status);
    }
    const ohms = c.inputs.proximityOhms;
    if (force || ohms !== sent.ohms || now - sent.proximityAt >= timing.proximityIntervalMs) {
      sent.ohms = ohms;
      sent.proximityAt = now;
      this.send({ kind: 'proximity', connectorId, ohms });
    }
    const t = c.inputs.temperatureC;
    const tMoved = sent.temperature === undefined || (t === null) !== (sent.temperature === null) || (t !== null && Math.abs(t - sent.temperature!) >= 0.5);
    if (force || tMoved || now - sent.temperatureAt >= timing.temperatureIntervalMs) {
      sent.temperature = t;
      sent.temperatureAt = now;
      this.send({ kind: 'temperature', connectorId, celsius: t });
    }
  }

  private sendHeartbeat(now: number): void {
    this.send({
      kind: 'mcuHeartbeat',
      uptimeMs: Math.max(0, Math.floor(now - this.bootAt)),
      state: this.mcuState,
      protocolVersion: PROTOCOL_VERSION,
      appCounterEcho: this.lastAppHeartbeat?.counter ?? 0,
    });
  }

  private send(frame: McuFrame): void {
    if (this.silent) return;
    const { baseId } = this.options;
    const id = frameId(baseId, frame.kind, 'connectorId' in frame ? frame.connectorId : undefined);
    const corruption = this.takeCorruption(frame.kind);
    const counter = corruption === 'repeat' ? (this.sequence.last(id) ?? this.sequence.take(id)) : this.sequence.take(id);
    const encoded = encodeFrame(baseId, frame, counter);
    let data = encoded.data;
    if (corruption === 'crc') data[CRC_BYTE] = data[CRC_BYTE]! ^ 0x5a;
    if (corruption === 'dlc') data = data.subarray(0, 7);
    try {
      this.channel.send({ id, ext: false, rtr: false, data });
    } catch {
      // A refused send is a lost frame, as on a real bus.
    }
  }

  private takeCorruption(kind: FrameKind): Corruption | null {
    const index = this.corruptions.findIndex((entry) => entry.kind === null || entry.kind === kind);
    if (index < 0) return null;
    const entry = this.corruptions[index]!;
    if (--entry.remaining <= 0) this.corruptions.splice(index, 1);
    return entry.corruption;
  }

  private connector(connectorId: number): SimConnector {
    const c = this.connectors.get(connectorId);
    if (!c) throw new RangeError(`the simulated MCU has no connector ${connectorId}`);
    return c;
  }
}
