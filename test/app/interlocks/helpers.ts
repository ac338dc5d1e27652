// Shared steps and checks for the interlock tests: a whole charger on the simulated board,
// faults injected through SimulationControl, reactions read from what the charger shows.

import { strict as assert } from 'node:assert';
import type { Contactor, ConnectorLock } from '../../../hal/interfaces.js';
import type { SimulationControl } from '../../../hal/sim/simulation-control.js';
import type { FaultLogEntry, SessionRecord, SessionStopReason } from '../../../app/records.js';
import { FAULTS, type FaultName } from '../../../state-machines/faults.js';
import { CARD, startCharger, type ChargerFixture, type ConfigOverrides } from '../../support/charger-fixture.js';
import { expectedFault } from '../../support/expected-faults.js';
import { REFERENCE_SAFETY } from '../../support/safety-reference.js';

/** The reference figures, stated literally with their sources (never the code's own DEFAULT_SAFETY). */
export const SAFETY = REFERENCE_SAFETY;
export const CHARGING = 'connected.session.energized.charging';

export function contactor(f: ChargerFixture): Contactor {
  return f.board.hardware.connectors[0]!.contactor;
}

export function lock(f: ChargerFixture): ConnectorLock {
  return f.board.hardware.connectors[0]!.lock!;
}

/** Where the main contacts physically are (the sim's view, not the firmware's). */
export function contactsClosed(f: ChargerFixture): boolean {
  return f.sim.snapshot().connectors[0]!.contactsClosed;
}

export function lastSession(f: ChargerFixture): SessionRecord {
  const sessions = f.charger.sessions();
  assert.ok(sessions.length > 0, 'no session was recorded');
  return sessions[sessions.length - 1]!;
}

export function logEntries(f: ChargerFixture, fault: FaultName, event?: FaultLogEntry['event']): FaultLogEntry[] {
  return f.charger.faultLog().filter((e) => e.fault === fault && (event === undefined || e.event === event));
}

/**
 * Like startCharger, but `prepare` acts on the simulated world before the charger starts
 * (a hazard present at power-up, e.g. an RCD module whose self-test does not trip).
 */
export function startChargerWith(prepare: (sim: SimulationControl) => void, overrides: ConfigOverrides = {}): Promise<ChargerFixture> {
  return startCharger(overrides, { prepare });
}

/** Runs `body` on a fresh charger and always disposes of it. */
export async function withCharger(
  body: (f: ChargerFixture) => Promise<void>,
  overrides: ConfigOverrides = {},
): Promise<void> {
  const f = await startCharger(overrides);
  try {
    await body(f);
  } finally {
    await f.dispose();
  }
}

export interface SignalledOptions {
  /** Null for a station-wide fault. */
  readonly connectorId?: number | null;
  readonly latched?: boolean;
  /** Readings the fault log's 'raised' entry must hold (a subset of its values). */
  readonly values?: Readonly<Record<string, unknown>>;
}

/** The charger redraws the display and LED once after a burst of changes (a 0 ms timer): let it. */
export async function settleDisplay(f: ChargerFixture): Promise<void> {
  await f.advance(0);
}

/**
 * The fault is signalled everywhere it should be: the connector's state and OCPP status, its
 * active faults with the OCPP error code, the display's reason, a red LED, and a 'raised'
 * entry in the fault log with the readings that set it off. Does not move the clock.
 */
export async function expectSignalled(f: ChargerFixture, fault: FaultName, options: SignalledOptions = {}): Promise<void> {
  const expected = expectedFault(fault);
  const { displayReason } = FAULTS[fault];
  await settleDisplay(f);
  const s = f.status();
  assert.ok(s.state.startsWith('fault'), `state ${s.state} is not a fault state`);
  assert.equal(s.status, 'Faulted');
  const active = s.activeFaults.find((a) => a.fault === fault);
  assert.ok(active, `${fault} is not among the active faults ${JSON.stringify(s.activeFaults.map((a) => a.fault))}`);
  assert.equal(active.ocppErrorCode, expected.ocppErrorCode);
  if (options.latched !== undefined) assert.equal(active.latched, options.latched, `${fault} latched`);
  const display = f.charger.status().display;
  assert.ok(display.includes(displayReason), `display ${JSON.stringify(display)} does not show "${displayReason}"`);
  assert.equal(s.led.color, 'red');
  const raised = logEntries(f, fault, 'raised');
  assert.ok(raised.length > 0, `no 'raised' entry for ${fault} in the fault log`);
  const entry = raised[raised.length - 1]!;
  assert.equal(entry.connectorId, options.connectorId === undefined ? 1 : options.connectorId);
  assert.equal(entry.ocppErrorCode, expected.ocppErrorCode);
  for (const [key, value] of Object.entries(options.values ?? {})) {
    assert.deepEqual(entry.values[key], value, `fault log values.${key} of ${fault}: ${JSON.stringify(entry.values)}`);
  }
}

/** The CP shows state F for stateFDurationMs from the moment the fault was raised, then steady +12 V. */
export async function expectStateFThenHigh(f: ChargerFixture, fault: FaultName): Promise<void> {
  const raised = logEntries(f, fault, 'raised');
  const raisedAt = Date.parse(raised[raised.length - 1]!.at);
  if (!expectedFault(fault).pilotStateF) {
    assert.equal(f.status().pilot.output.mode, 'high');
    return;
  }
  const elapsed = f.clock.now() - raisedAt;
  assert.ok(elapsed < SAFETY.stateFDurationMs, `checked ${elapsed} ms after the fault: too late to see state F`);
  assert.equal(f.status().pilot.output.mode, 'error', 'CP not in state F after the fault');
  await f.advance(SAFETY.stateFDurationMs - elapsed - 1);
  assert.equal(f.status().pilot.output.mode, 'error', `CP left state F before ${SAFETY.stateFDurationMs} ms`);
  await f.advance(1);
  assert.equal(f.status().pilot.output.mode, 'high', 'CP not back to steady +12 V after state F');
}

/** The last session ended because of this fault. */
export function expectSessionStoppedBy(f: ChargerFixture, fault: FaultName, reason: SessionStopReason = 'Fault'): void {
  const session = lastSession(f);
  assert.notEqual(session.stoppedAt, null, 'the session is still open');
  assert.equal(session.stopReason, reason);
  assert.equal(session.stopFault, fault);
}

/** The fault is still active (and the contactor open) for this long. */
export async function expectStaysFaulted(f: ChargerFixture, fault: FaultName, ms: number, latched?: boolean): Promise<void> {
  await f.advance(ms);
  const s = f.status();
  assert.ok(s.state.startsWith('fault'), `state ${s.state} after ${ms} ms: ${fault} no longer holds the connector`);
  const active = s.activeFaults.find((a) => a.fault === fault);
  assert.ok(active, `${fault} cleared within ${ms} ms`);
  if (latched !== undefined) assert.equal(active.latched, latched);
  assert.equal(contactor(f).commanded, 'open');
}

/**
 * The EV is still plugged: the connector waits for a card again (the old authorization is
 * gone), keeps the contactor open however long it waits, and a new card starts a new session.
 */
export async function expectAwaitsNewCard(f: ChargerFixture): Promise<void> {
  const sessionsBefore = f.charger.sessions().length;
  await settleDisplay(f);
  let s = f.status();
  assert.equal(s.state, 'connected.awaitingAuthorization');
  assert.equal(s.status, 'Preparing');
  assert.deepEqual(s.activeFaults, []);
  assert.notEqual(s.led.color, 'red');
  await f.advance(10_000);
  s = f.status();
  assert.equal(s.state, 'connected.awaitingAuthorization', 'charging resumed without a new card');
  assert.equal(contactor(f).commanded, 'open');
  assert.equal(f.charger.sessions().length, sessionsBefore);
  f.sim.presentCard(CARD);
  assert.ok(await f.clock.advanceUntil(() => f.status().state === CHARGING, 10_000), `no new session: ${f.status().state}`);
  assert.equal(f.charger.sessions().length, sessionsBefore + 1);
  assert.equal(lastSession(f).stoppedAt, null);
}

/** No EV: the connector is Available again, green and ready. */
export async function expectAvailable(f: ChargerFixture): Promise<void> {
  await f.advance(SAFETY.pilotDebounceMs + 1000);
  const s = f.status();
  assert.equal(s.state, 'idle.vacant');
  assert.equal(s.status, 'Available');
  assert.deepEqual(s.activeFaults, []);
  assert.equal(s.led.color, 'green');
  assert.equal(contactor(f).commanded, 'open');
}
