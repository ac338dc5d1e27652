// The safety co-processor on CAN (docs/can-coprocessor-protocol.md): a microcontroller that drives
// the CP generator, measures CP and PP, reads the RCD, the mirror contact and the socket
// temperature, switches contactor and lock, and opens the contactor by itself on a hazard. This
// driver is the Linux side: it sends the app's heartbeat and commands, turns the MCU's reports into
// the HAL devices of each connector, and watches the MCU's heartbeat (SafetyControllerLink).
//
// The link is alive while valid MCU heartbeats (CRC right, counter advancing) arrive within
// heartbeatTimeoutMs and the MCU says it is running. While the MCU is silent the temperatures read
// null; the other readings keep their last value (see the protocol document, "A silent MCU").
//
// Nothing on the bus makes this driver throw: bad frames are dropped and counted (`stats`), refused
// sends are counted. A listener that throws is a bug: every other listener still runs, then the
// error ends the process through the fail-safe path (hal/listeners.ts), and the MCU goes safe.

import { existsSync, readFileSync } from 'node:fs';
import type { Clock, TimerHandle } from '../clock.js';
import { HardwareUnavailableError, loadHardwarePackage } from '../hardware-packages.js';
import type {
  ConnectorLock,
  Contactor,
  ControlPilot,
  Listener,
  ProximityPilot,
  ResidualCurrentMonitor,
  SafetyControllerLink,
  TemperatureSensor,
  Unsubscribe,
} from '../interfaces.js';
import { CoprocessorConnector } from './coprocessor-views.js';
import {
  checkBaseId,
  counterAccepted,
  CounterSequence,
  CounterTracker,
  decodeFrame,
  encodeFrame,
  FRAME_LAYOUT,
  frameId,
  MAX_CONNECTORS,
  type AppFrame,
  type AppState,
  type McuHeartbeat,
  type McuState,
  type StatusReport,
} from './frames.js';
import { Listeners } from '../listeners.js';
import type { CanMessage, RawChannelLike, SocketCanModule } from './socketcan-api.js';

export type { CanMessage, RawChannelLike, SocketCanModule } from './socketcan-api.js';
export { RCD_SELF_TEST_TIMEOUT_MS } from './coprocessor-views.js';

export interface CanCoprocessorOptions {
  interface: string;
  baseId: number;
  connectors: readonly { connectorId: number; hasLock: boolean }[];
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
}

const DEVICE = 'safety co-processor';

/** The MCU sends its heartbeat every 100 ms (protocol document). */
export const MCU_HEARTBEAT_INTERVAL_MS = 100;
/** The MCU goes to its safe state when the app's heartbeat is missing this long. */
export const MCU_APP_HEARTBEAT_TIMEOUT_MS = 300;
/** Every command is sent again this often, so a lost frame or a restarted MCU never leaves a stale state. */
export const COMMAND_REFRESH_MS = 1000;

export interface CanCoprocessorStats {
  /** Frames handed to the socket. */
  framesSent: number;
  /** Frames the socket refused (queue full, bus-off, interface down). */
  sendFailures: number;
  /** Every frame read from the socket, ours or not. */
  framesReceived: number;
  /** MCU frames that passed every check and were applied. */
  framesAccepted: number;
  droppedCrc: number;
  /** Repeated counter (stuck or replayed frame) or a jump (stale, out of order, restarted sender). */
  droppedCounter: number;
  droppedDlc: number;
  /** In our id range but not a valid MCU frame: unknown id, undefined value, other protocol version, app-side id, unconfigured connector, RTR. */
  droppedInvalid: number;
  /** Other nodes' frames and extended-id frames. */
  ignored: number;
  /** Error frames from the CAN controller. */
  busErrors: number;
  /** Times the MCU's heartbeat stopped for heartbeatTimeoutMs. */
  heartbeatTimeouts: number;
  /** Times the MCU's uptime went backwards: it restarted. */
  mcuRestarts: number;
}

export interface McuInfo {
  readonly state: McuState;
  readonly uptimeMs: number;
  /** The counter of the last app heartbeat the MCU heard. */
  readonly appCounterEcho: number;
  /** Clock time of the heartbeat. */
  readonly receivedAt: number;
}

function validate(options: CanCoprocessorOptions): string | null {
  try {
    checkBaseId(options.baseId);
  } catch (error) {
    return (error as Error).message;
  }
  const ids = options.connectors.map((c) => c.connectorId);
  if (ids.length === 0) return 'no connectors given';
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 1 || id > MAX_CONNECTORS) return `connector id ${id} must be an integer 1–${MAX_CONNECTORS}`;
  }
  if (new Set(ids).size !== ids.length) return `connector ids repeat (${ids.join(', ')})`;
  if (!(options.heartbeatIntervalMs > 0 && options.heartbeatIntervalMs <= MCU_APP_HEARTBEAT_TIMEOUT_MS / 2)) {
    return `heartbeatIntervalMs ${options.heartbeatIntervalMs} must be > 0 and ≤ ${MCU_APP_HEARTBEAT_TIMEOUT_MS / 2} (the MCU gives up on the app after ${MCU_APP_HEARTBEAT_TIMEOUT_MS} ms)`;
  }
  if (!(options.heartbeatTimeoutMs >= 2 * MCU_HEARTBEAT_INTERVAL_MS)) {
    return `heartbeatTimeoutMs ${options.heartbeatTimeoutMs} must be ≥ ${2 * MCU_HEARTBEAT_INTERVAL_MS} (the MCU's heartbeat comes every ${MCU_HEARTBEAT_INTERVAL_MS} ms; one may be lost)`;
  }
  return null;
}

function openFailureReason(error: unknown, iface: string): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENODEV') return `no network interface "${iface}" (ENODEV: ${message}); check the CAN controller's driver and the interface name in the board profile`;
  if (code) return `${message} (${code})`;
  // The native package only says "Error while creating channel"; the kernel's view tells why.
  if (!iface.includes('/') && !existsSync(`/sys/class/net/${iface}`)) return `no network interface "${iface}" (${message})`;
  return `${message}: could not bind a CAN_RAW socket to "${iface}" (is it a CAN interface?)`;
}

/** The kernel's operational state of the interface, or null when it cannot be read. */
function operState(iface: string): string | null {
  if (iface.includes('/')) return null;
  try {
    return readFileSync(`/sys/class/net/${iface}/operstate`, 'utf8').trim();
  } catch {
    return null;
  }
}

function createChannel(socketcan: SocketCanModule, iface: string): RawChannelLike {
  // Non-blocking sends where the package offers them: a full transmit queue (bus-off, no other
  // node acknowledging) must cost a counted failure, not a frozen event loop.
  if (typeof socketcan.createRawChannelWithOptions === 'function') {
    return socketcan.createRawChannelWithOptions(iface, { timestamps: false, non_block_send: true });
  }
  return socketcan.createRawChannel(iface, false);
}

export class CanCoprocessor implements SafetyControllerLink {
  private readonly ports = new Map<number, CoprocessorConnector>();
  private readonly linkListeners = new Listeners<boolean>();
  private readonly sequence = new CounterSequence();
  private readonly tracker = new CounterTracker();
  private readonly counters: CanCoprocessorStats = {
    framesSent: 0,
    sendFailures: 0,
    framesReceived: 0,
    framesAccepted: 0,
    droppedCrc: 0,
    droppedCounter: 0,
    droppedDlc: 0,
    droppedInvalid: 0,
    ignored: 0,
    busErrors: 0,
    heartbeatTimeouts: 0,
    mcuRestarts: 0,
  };
  private alive = false;
  private closed = false;
  /** The next app heartbeat asks the MCU for every report (set at open and whenever the link comes back). */
  private requestReports = true;
  private mcu: McuInfo | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  private refreshTimer: TimerHandle | null = null;
  private silenceTimer: TimerHandle | null = null;

  private constructor(
    private readonly channel: RawChannelLike,
    readonly options: CanCoprocessorOptions,
    readonly clock: Clock,
  ) {
    const port = {
      clock,
      send: (frame: AppFrame) => this.send(frame),
      isAlive: () => this.isAlive(),
      onChange: (listener: Listener<boolean>) => this.onChange(listener),
    };
    for (const { connectorId, hasLock } of options.connectors) {
      this.ports.set(connectorId, new CoprocessorConnector(connectorId, hasLock, port));
    }
  }

  /**
   * Opens the CAN interface and starts the app heartbeat. Resolves at once: the link reads not
   * alive until the MCU's heartbeat proves it (two heartbeats with advancing counters, state running).
   * Throws HardwareUnavailableError when the package, the interface or the options will not do.
   */
  static async open(options: CanCoprocessorOptions, clock: Clock, deps?: { socketcan?: SocketCanModule }): Promise<CanCoprocessor> {
    const problem = validate(options);
    if (problem) throw new HardwareUnavailableError(DEVICE, options.interface, problem);
    const injected = deps?.socketcan;
    const socketcan = injected ?? (await loadHardwarePackage<SocketCanModule>('socketcan', DEVICE, options.interface));
    if (!injected && operState(options.interface) === 'down') {
      throw new HardwareUnavailableError(DEVICE, options.interface, `the interface is down (bring it up: ip link set ${options.interface} up type can bitrate 500000)`);
    }
    let channel: RawChannelLike;
    try {
      channel = createChannel(socketcan, options.interface);
    } catch (error) {
      throw new HardwareUnavailableError(DEVICE, options.interface, openFailureReason(error, options.interface));
    }
    const link = new CanCoprocessor(channel, options, clock);
    try {
      link.start();
    } catch (error) {
      try {
        channel.stop();
      } catch {
        // The channel never ran.
      }
      throw new HardwareUnavailableError(DEVICE, options.interface, `the channel would not start: ${(error as Error).message}`);
    }
    return link;
  }

  // —— SafetyControllerLink ——

  isAlive(): boolean {
    return this.alive;
  }

  onChange(listener: Listener<boolean>): Unsubscribe {
    return this.linkListeners.subscribe(listener);
  }

  // —— the devices, per connector ——

  pilot(connectorId: number): ControlPilot {
    return this.port(connectorId).pilot;
  }

  proximity(connectorId: number): ProximityPilot {
    return this.port(connectorId).proximity;
  }

  contactor(connectorId: number): Contactor {
    return this.port(connectorId).contactor;
  }

  residualCurrent(connectorId: number): ResidualCurrentMonitor {
    return this.port(connectorId).residualCurrent;
  }

  socketTemperature(connectorId: number): TemperatureSensor {
    return this.port(connectorId).socketTemperature;
  }

  /** The lock the MCU drives; null on a connector without one. */
  lock(connectorId: number): ConnectorLock | null {
    return this.port(connectorId).lock;
  }

  // —— diagnostics ——

  get stats(): Readonly<CanCoprocessorStats> {
    return { ...this.counters };
  }

  /** The MCU's last accepted heartbeat, null before the first. */
  get mcuInfo(): McuInfo | null {
    return this.mcu;
  }

  /** The MCU's last status report for a connector (fault flags, applied pilot output), null before the first. */
  connectorStatus(connectorId: number): StatusReport | null {
    return this.port(connectorId).status;
  }

  /**
   * Tells the MCU the app is stopping (it goes to its safe state at once: state F, contactor open)
   * and closes the channel. Pending self-tests resolve false. Link listeners are not called.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const timer of [this.heartbeatTimer, this.refreshTimer]) if (timer !== null) this.clock.clearInterval(timer);
    if (this.silenceTimer !== null) this.clock.clearTimeout(this.silenceTimer);
    this.heartbeatTimer = this.refreshTimer = this.silenceTimer = null;
    this.sendHeartbeat('stopping');
    this.closed = true;
    this.alive = false;
    for (const port of this.ports.values()) port.dispose();
    try {
      this.channel.stop();
    } catch {
      // Closing is best effort.
    }
  }

  // —— internals ——

  private port(connectorId: number): CoprocessorConnector {
    const port = this.ports.get(connectorId);
    if (!port) throw new RangeError(`the safety co-processor serves connectors ${[...this.ports.keys()].join(', ')}, not ${connectorId}`);
    return port;
  }

  private start(): void {
    const { channel, options, clock } = this;
    channel.addListener('onMessage', (message) => this.receive(message));
    // Only this board's block reaches us when the base id allows a mask (a multiple of 0x80).
    if (options.baseId % 0x80 === 0 && typeof channel.setRxFilters === 'function') {
      channel.setRxFilters([{ id: options.baseId, mask: 0x780 }]);
    }
    channel.start();
    this.sendHeartbeat('running');
    this.sendAllCommands();
    this.heartbeatTimer = clock.setInterval(() => this.sendHeartbeat('running'), options.heartbeatIntervalMs);
    this.refreshTimer = clock.setInterval(() => this.sendAllCommands(), COMMAND_REFRESH_MS);
  }

  private sendHeartbeat(state: AppState): void {
    const requestReports = state === 'running' && this.requestReports;
    if (this.send({ kind: 'appHeartbeat', state, requestReports }) && requestReports) this.requestReports = false;
  }

  private sendAllCommands(): void {
    for (const port of this.ports.values()) for (const frame of port.commands()) this.send(frame);
  }

  /** Encodes (throws on a value the protocol cannot carry) and sends; a refused send is counted, never thrown. */
  private send(frame: AppFrame): boolean {
    if (this.closed) return false;
    const id = frameId(this.options.baseId, frame.kind, 'connectorId' in frame ? frame.connectorId : undefined);
    const encoded = encodeFrame(this.options.baseId, frame, this.sequence.take(id));
    try {
      const result = this.channel.send({ id: encoded.id, ext: false, rtr: false, data: encoded.data });
      if (typeof result === 'number' && result < 0) {
        this.counters.sendFailures++;
        return false;
      }
    } catch {
      this.counters.sendFailures++;
      return false;
    }
    this.counters.framesSent++;
    return true;
  }

  private receive(message: CanMessage): void {
    const counters = this.counters;
    counters.framesReceived++;
    if (this.closed) return;
    if (message.err) {
      counters.busErrors++;
      return;
    }
    if (message.ext) {
      counters.ignored++;
      return;
    }
    const { baseId } = this.options;
    const result = decodeFrame(baseId, message);
    if (!result.ok) {
      if (result.error === 'foreign') counters.ignored++;
      else if (result.error === 'crc') counters.droppedCrc++;
      else if (result.error === 'dlc') counters.droppedDlc++;
      else counters.droppedInvalid++;
      return;
    }
    const { payload } = result;
    if (message.rtr || FRAME_LAYOUT[payload.kind].from !== 'mcu') {
      counters.droppedInvalid++;
      return;
    }
    const port = 'connectorId' in payload ? this.ports.get(payload.connectorId) : undefined;
    if ('connectorId' in payload && !port) {
      counters.droppedInvalid++;
      return;
    }
    const verdict = this.tracker.check(message.id, result.counter);
    if (!counterAccepted(verdict)) {
      counters.droppedCounter++;
      return;
    }
    counters.framesAccepted++;
    switch (payload.kind) {
      case 'mcuHeartbeat':
        // A first heartbeat only sets the counter reference: a transmitter stuck on one frame
        // must never make the link look alive.
        this.onMcuHeartbeat(payload, verdict !== 'first');
        break;
      case 'status':
        port!.applyStatus(payload);
        break;
      case 'pilotLevels':
        port!.applyLevels(payload);
        break;
      case 'proximity':
        port!.applyProximity(payload);
        break;
      case 'temperature':
        port!.applyTemperature(payload);
        break;
      case 'rcdTestResult':
        port!.applySelfTestResult(payload);
        break;
    }
  }

  private onMcuHeartbeat(heartbeat: McuHeartbeat, provesLiveness: boolean): void {
    const previous = this.mcu;
    // Uptime is u32 ms: a small step back is a restart, a big one the wrap after 49.7 days.
    if (previous && heartbeat.uptimeMs < previous.uptimeMs && previous.uptimeMs - heartbeat.uptimeMs < 2 ** 31) this.counters.mcuRestarts++;
    this.mcu = { state: heartbeat.state, uptimeMs: heartbeat.uptimeMs, appCounterEcho: heartbeat.appCounterEcho, receivedAt: this.clock.now() };
    if (!provesLiveness) return;
    if (this.silenceTimer !== null) this.clock.clearTimeout(this.silenceTimer);
    this.silenceTimer = this.clock.setTimeout(() => this.onSilence(), this.options.heartbeatTimeoutMs);
    // Outside 'running' the MCU holds its safe state until it has our heartbeat and an
    // allow-power = 0 for every connector: give it our whole command state with each heartbeat.
    if (heartbeat.state !== 'running') this.sendAllCommands();
    this.setAlive(heartbeat.state === 'running');
  }

  private onSilence(): void {
    this.silenceTimer = null;
    this.counters.heartbeatTimeouts++;
    let failure: { error: unknown } | null = null;
    try {
      this.setAlive(false);
    } catch (error) {
      failure = { error };
    }
    for (const port of this.ports.values()) {
      try {
        port.linkLost();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  private setAlive(alive: boolean): void {
    if (alive === this.alive) return;
    this.alive = alive;
    // Back to running, the MCU drives state F until told otherwise: give it the app's outputs now,
    // and ask (with the next heartbeat) for the reports missed while it was silent.
    if (alive) {
      this.sendAllCommands();
      this.requestReports = true;
    }
    this.linkListeners.emit(alive);
  }
}
