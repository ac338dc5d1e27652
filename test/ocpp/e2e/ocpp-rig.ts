// End-to-end rig: the whole charger on the simulated board, composed by app/compose.ts as
// app/main.ts composes it, talking OCPP 1.6J over a real WebSocket to the
// real dev CSMS in this process.
//
// Clock: the network is real; the charger and every OCPP service run on one VirtualClock. Tests
// never sleep: `until` advances virtual time in small steps, yielding to real I/O between them,
// until a condition holds or a deadline (virtual and real) passes. Heartbeat, meter, retry and
// ConnectionTimeOut intervals are thus minutes of virtual time in a few real milliseconds.

import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../hal/clock.js';
import type { SimulationControl } from '../../../hal/sim/simulation-control.js';
import type { BoardHardware } from '../../../hal/interfaces.js';
import type { LoadedBoard } from '../../../hal/load-board.js';
import { loadBoardProfile } from '../../../config/board-profile.js';
import { resolveConfig } from '../../../config/load-config.js';
import type { ChargerConfig } from '../../../config/charger-config.js';
import type { Charger } from '../../../app/charger.js';
import type { OcppClient } from '../../../app/ocpp/ocpp-client.js';
import { composeCharger } from '../../../app/compose.js';
import type { ResetType } from '../../../app/ocpp/services.js';
import { DevCsms } from '../../../tools/dev-csms/csms.js';
import type { CallOptions } from '../../../tools/dev-csms/outgoing.js';
import type { RecordedMessage } from '../../../tools/dev-csms/types.js';

export const CP_ID = 'CP-E2E-001';
export const CARD = '04A1B2C3D4';
export const OTHER_CARD = '0BADC0DE';
/** Card debounce of the rig's config: the same card again needs this much virtual time in between. */
export const CARD_DEBOUNCE_MS = 2000;

/**
 * The dev CSMS's clock in these tests: the rig's virtual clock, this far ahead of the charger's own
 * (BootNotification.conf and Heartbeat.conf currentTime), so the charger's clock correction shows
 * in every timestamp it sends and stays put while virtual time runs.
 */
export const CSMS_AHEAD_MS = 3_600_000;

export type ConfigOverrides = { [K in keyof ChargerConfig]?: unknown };

export interface RigOptions {
  /** Merged over the rig's base config (top-level sections replace the base's). */
  readonly config?: ConfigOverrides;
  /** OCPP configuration keys as the charger config's `ocpp.configuration` gives them. */
  readonly ocppKeys?: Record<string, string>;
  /** Reuse a data dir (a restart over the same data); default a new temp dir. */
  readonly dataDir?: string;
  readonly clock?: VirtualClock;
  /** Wait for BootNotification Accepted and the first StatusNotifications (default true). */
  readonly awaitBoot?: boolean;
  /** Leave the CSMS's BootNotification/Heartbeat answers alone (real time, or the test's own handlers). */
  readonly keepCsmsClock?: boolean;
  /** For restart(): another CSMS. */
  readonly csms?: DevCsms;
  /** Acts on the simulated world before the charger starts (an EV plugged in at power-up). */
  readonly prepare?: (sim: SimulationControl) => void;
}

export interface UntilOptions {
  /** Virtual time allowed, ms (default 120 000). */
  readonly virtualMs?: number;
  /** Real time allowed, ms (default 8000). */
  readonly realMs?: number;
  /** Virtual ms per step (default 50). */
  readonly stepMs?: number;
}

const realTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

/** The simulated meter may still be writing its register file as the rig stops: retry (ENOTEMPTY). */
const REMOVE_DATA_DIR = { recursive: true, force: true, maxRetries: 5, retryDelay: 50 } as const;

export function baseConfig(overrides: ConfigOverrides, csmsUrl: string, ocppKeys: Record<string, string>): ChargerConfig {
  const { ocpp, ...rest } = overrides as { ocpp?: Record<string, unknown> };
  return resolveConfig({
    identity: { chargePointId: CP_ID, vendor: 'OpenCharger', model: 'Sim-AC22', serialNumber: 'SIM-E2E-1' },
    connectors: [
      { connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' },
      { connectorId: 2, maxCurrentA: 32, phases: 1, kind: 'tethered', cableRatingA: 32 },
    ],
    site: { maxCurrentA: 32, ventilationAvailable: false, nominalVoltageV: 230 },
    authorization: { mode: 'allowList', allowList: [], cardDebounceMs: CARD_DEBOUNCE_MS },
    diagnostics: { host: '127.0.0.1', port: 0 },
    ...rest,
    ocpp: { csmsUrl, callTimeoutS: 10, ...(ocpp ?? {}), configuration: { ...ocppKeys, ...((ocpp?.['configuration'] as object) ?? {}) } },
  }, 'e2e rig config');
}

export class OcppRig {
  /** What the rig's restart callback was asked for (Reset). */
  private stopped = false;

  private constructor(
    /** The CSMS the rig reads messages from (a test may swap in a new one on the same port). */
    public csms: DevCsms,
    readonly clock: VirtualClock,
    readonly config: ChargerConfig,
    readonly dataDir: string,
    readonly charger: Charger,
    readonly client: OcppClient,
    private readonly hardware: BoardHardware,
    private readonly simulation: SimulationControl,
    private readonly options: RigOptions,
    /** What the rig's restart callback was asked for (Reset). */
    readonly restarts: ResetType[],
    /** The charger's and the OCPP client's log lines (the last 400), shown when a wait times out. */
    readonly logs: string[],
  ) {}

  static async start(csms: DevCsms, options: RigOptions = {}): Promise<OcppRig> {
    const clock = options.clock ?? new VirtualClock();
    const startMark = csms.messages({ limit: 1 }).at(-1)?.seq ?? 0;
    const config = baseConfig(options.config ?? {}, csms.url, options.ocppKeys ?? {});
    const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ocpp-e2e-')));
    const logs: string[] = [];
    const note = (line: string) => {
      logs.push(line);
      if (logs.length > 400) logs.splice(0, logs.length - 400);
    };

    const profile = loadBoardProfile(config.board);
    const restarts: ResetType[] = [];
    if (!options.keepCsmsClock) followVirtualTime(csms, clock);
    const stamp = (line: string) => note(`${new Date(clock.now()).toISOString()} ${line}`);
    const { board, charger, ocpp } = await composeCharger({
      config,
      profile,
      dataDir,
      clock,
      ocpp: {
        tls: {},
        firmwareVersion: '0.1.0-e2e',
        log: (level, message, fields) => stamp(`${level} ${message} ${fields ? JSON.stringify(fields) : ''}`),
        restart: (type) => void restarts.push(type),
      },
      chargerLog: (message, fields) => stamp(`charger ${message} ${fields ? JSON.stringify(fields) : ''}`),
      reportPersistence: (problem) => note(`persistence problem ${JSON.stringify(problem)}`),
      ...(options.prepare ? { prepareBoard: (loaded: LoadedBoard) => options.prepare!(loaded.simulation!) } : {}),
    });
    if (!ocpp) throw new Error('the rig\'s config has no ocpp.csmsUrl');

    const rig = new OcppRig(csms, clock, config, dataDir, charger, ocpp, board.hardware, board.simulation!, options, restarts, logs);
    await clock.advance(300); // RCD self-test and the first meter reads
    if (options.awaitBoot ?? true) await rig.awaitOnline(startMark);
    return rig;
  }

  get sim(): SimulationControl {
    return this.simulation;
  }

  get cpId(): string {
    return this.config.identity.chargePointId;
  }

  /** Registered, and the current status of connector 0 and every connector reported after `afterSeq`. */
  async awaitOnline(afterSeq: number): Promise<void> {
    const ids = [0, ...this.charger.connectorIds];
    await this.until(
      () => this.client.status.registration === 'Accepted'
        && ids.every((id) => this.calls('StatusNotification', afterSeq).some((m) => (m.payload as { connectorId: number }).connectorId === id)),
      'BootNotification Accepted and the first StatusNotifications',
    );
  }

  /** Advances virtual time in steps, letting real I/O run in between, until `predicate` holds. */
  async until(predicate: () => boolean, what: string, options: UntilOptions = {}): Promise<void> {
    const { virtualMs = 120_000, realMs = 8000, stepMs = 50 } = options;
    const realDeadline = Date.now() + realMs;
    const virtualDeadline = this.clock.now() + virtualMs;
    while (!predicate()) {
      if (Date.now() > realDeadline || this.clock.now() >= virtualDeadline) {
        throw new Error(`timed out waiting for ${what}\n--- charger log tail ---\n${this.logs.slice(-25).join('\n')}\n--- CSMS tail ---\n${this.csms
          .messages({ limit: 15 })
          .map((m) => `${m.seq} ${m.direction} ${m.messageType} ${m.action ?? ''} ${JSON.stringify(m.payload).slice(0, 200)}`)
          .join('\n')}`);
      }
      await this.clock.advance(Math.min(stepMs, Math.max(1, virtualDeadline - this.clock.now())));
      await realTick();
    }
  }

  /**
   * Waits in real time, with virtual time standing still, until `predicate` holds: for what the
   * charger has already sent to reach the CSMS (a count after `pass` would depend on host speed).
   */
  async arrived(predicate: () => boolean, what: string, realMs = 8000): Promise<void> {
    const realDeadline = Date.now() + realMs;
    while (!predicate()) {
      if (Date.now() > realDeadline) throw new Error(`timed out waiting (virtual time stopped) for ${what}\n--- charger log tail ---\n${this.logs.slice(-25).join('\n')}`);
      await realTick();
    }
  }

  /**
   * The register of the connector's latest meter reading, once that reading was taken with no
   * current flowing (the contactor open, or the EV drawing nothing): the register cannot move
   * after it, so it is the value a later StopTransaction must report.
   */
  async settledRegisterWh(connectorId: number, what: string): Promise<number> {
    await this.until(() => this.connectorStatus(connectorId).meter?.totalPowerW === 0, `${what}: a meter reading with no current flowing`);
    return this.connectorStatus(connectorId).meter!.importEnergyWh;
  }

  /** Lets `ms` of virtual time pass, in steps, with real I/O in between (for "nothing happens" checks). */
  async pass(ms: number, stepMs = 250): Promise<void> {
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      await this.clock.advance(Math.min(stepMs, end - this.clock.now()));
      await realTick();
    }
  }

  /** Highest message seq recorded so far (a mark for `afterSeq`). */
  mark(): number {
    return this.csms.messages({ limit: 1 }).at(-1)?.seq ?? 0;
  }

  /** CALLs from the charger, oldest first. */
  calls(action?: string, afterSeq = 0): RecordedMessage[] {
    return this.csms.messages({ chargePointId: this.cpId, direction: 'in', messageType: 'CALL', ...(action ? { action } : {}), afterSeq });
  }

  payloads<T = any>(action: string, afterSeq = 0): T[] { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.calls(action, afterSeq).map((m) => m.payload as T);
  }

  /** The first CALL `action` after `afterSeq` matching `match`; waits (advancing time) for it. */
  async next<T = any>(action: string, afterSeq: number, match: (payload: T) => boolean = () => true, options: UntilOptions = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    let found: T | undefined;
    await this.until(() => (found = this.payloads<T>(action, afterSeq).find(match)) !== undefined, `${action} after #${afterSeq}`, options);
    return found!;
  }

  /** The statuses StatusNotification reported for a connector after `afterSeq`, in order. */
  statuses(connectorId: number, afterSeq = 0): string[] {
    return this.payloads<{ connectorId: number; status: string }>('StatusNotification', afterSeq)
      .filter((p) => p.connectorId === connectorId)
      .map((p) => p.status);
  }

  async waitStatus(connectorId: number, status: string, afterSeq: number, options: UntilOptions = {}): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.next('StatusNotification', afterSeq, (p: { connectorId: number; status: string }) => p.connectorId === connectorId && p.status === status, options);
  }

  /** A CSMS command, with virtual time moving while the charger works on it. */
  async call<T = any>(action: string, payload: unknown, options: CallOptions = {}): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    let done = false;
    let result: unknown;
    let failure: unknown;
    this.csms.call(this.cpId, action, payload, { timeoutMs: 5000, ...options }).then(
      (r) => {
        done = true;
        result = r;
      },
      (e: unknown) => {
        done = true;
        failure = e;
      },
    );
    await this.until(() => done, `the answer to ${action}`, { virtualMs: 60_000, realMs: 7000, stepMs: 20 });
    if (failure) throw failure;
    return result as T;
  }

  /** Whether the charger's connection is up (as the CSMS sees it). */
  get connected(): boolean {
    return this.csms.connected().includes(this.cpId);
  }

  connectorState(connectorId = 1): string {
    return this.charger.status().connectors.find((c) => c.connectorId === connectorId)!.state;
  }

  connectorStatus(connectorId = 1) {
    return this.charger.status().connectors.find((c) => c.connectorId === connectorId)!;
  }

  /** Plugs an EV in and waits for Preparing (connected, awaiting authorization). */
  async plug(connectorId = 1, ev: Record<string, unknown> = {}): Promise<void> {
    this.sim.plug(connectorId, { ev });
    await this.until(() => this.connectorState(connectorId) !== 'idle.vacant' && this.connectorStatus(connectorId).pilot.state !== 'A', `connector ${connectorId} plugged`);
  }

  /** Presents a card (after the debounce of any earlier presentation). */
  async card(uid: string): Promise<void> {
    await this.pass(CARD_DEBOUNCE_MS + 100);
    this.sim.presentCard(uid);
  }

  async untilCharging(connectorId = 1): Promise<void> {
    await this.until(() => this.connectorState(connectorId) === 'connected.session.energized.charging', `connector ${connectorId} charging`);
  }

  /** Stops like app/main.ts Running.stop (no diagnostics server here). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.client.stop();
    await this.charger.stop();
    await this.hardware.close();
  }

  /** Stops and starts again over the same data dir and clock (a reboot); the CSMS stays. */
  async restart(options: RigOptions = {}): Promise<OcppRig> {
    await this.stop();
    return OcppRig.start(options.csms ?? this.csms, { ...this.options, ...options, dataDir: this.dataDir, clock: this.clock });
  }

  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dataDir, REMOVE_DATA_DIR);
  }
}

/** The CSMS's currentTime: the virtual clock, CSMS_AHEAD_MS ahead; BootNotification keeps its configured answer. */
export function followVirtualTime(csms: DevCsms, clock: VirtualClock): void {
  const currentTime = () => new Date(clock.now() + CSMS_AHEAD_MS).toISOString();
  csms.setHandler('BootNotification', () => ({ ...csms.state.bootResponse, currentTime: currentTime() }));
  csms.setHandler('Heartbeat', () => ({ currentTime: currentTime() }));
}

/** A DevCsms on a free port (or the given one), quiet pings. */
export function startCsms(port = 0): Promise<DevCsms> {
  return DevCsms.start({ host: '127.0.0.1', port, pingIntervalMs: 0 });
}

/** Per-test CSMS + rig bookkeeping: everything opened is closed in afterEach. */
export class E2e {
  private readonly rigs: OcppRig[] = [];
  private readonly servers: DevCsms[] = [];
  private readonly dirs = new Set<string>();

  async csms(port = 0): Promise<DevCsms> {
    const csms = await startCsms(port);
    this.servers.push(csms);
    return csms;
  }

  async rig(csms: DevCsms, options: RigOptions = {}): Promise<OcppRig> {
    const rig = await OcppRig.start(csms, options);
    this.rigs.push(rig);
    this.dirs.add(rig.dataDir);
    return rig;
  }

  /** The usual start of a test: a CSMS that accepts CARD, and a rig connected to it. */
  async cardRig(options: RigOptions = {}): Promise<{ csms: DevCsms; rig: OcppRig }> {
    const csms = await this.csms();
    csms.setTag(CARD, { status: 'Accepted' });
    return { csms, rig: await this.rig(csms, options) };
  }

  async restart(rig: OcppRig, options: RigOptions = {}): Promise<OcppRig> {
    const next = await rig.restart(options);
    this.rigs.push(next);
    return next;
  }

  async cleanup(): Promise<void> {
    for (const rig of this.rigs.splice(0)) await rig.stop().catch(() => undefined);
    await Promise.all(this.servers.splice(0).map((s) => s.close().catch(() => undefined)));
    for (const dir of this.dirs) await rm(dir, REMOVE_DATA_DIR);
    this.dirs.clear();
  }
}

/** A StartTransaction the CSMS answered: its transactionId, from the recorded CALLRESULT. */
export function transactionIdOf(csms: DevCsms, cpId: string, startCall: RecordedMessage): number {
  const answer = csms.messages({ chargePointId: cpId, direction: 'out', messageType: 'CALLRESULT', action: 'StartTransaction' }).find((m) => m.messageId === startCall.messageId);
  assert.ok(answer, 'the StartTransaction was answered');
  return (answer.payload as { transactionId: number }).transactionId;
}
