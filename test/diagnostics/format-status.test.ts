import { strict as assert } from 'node:assert';
import {
  formatBackend,
  formatCleared,
  formatConnector,
  formatDuration,
  formatFaultLog,
  formatSessions,
  formatSimulation,
} from '../../tools/cli/format-status.js';
import { FakeSimulation, chargerStatus, connectorStatus } from './fakes.js';

describe('charger-cli formatting', () => {
  it('shows a contactor whose feedback disagrees', () => {
    const text = formatConnector(connectorStatus(1, { contactor: { commanded: 'open', feedback: 'closed' } }));
    assert.match(text, /Contactor commanded open, feedback CLOSED \(mismatch\)/);
  });

  it('copes with no meter, no session, no lock, state F', () => {
    const text = formatConnector(
      connectorStatus(1, {
        meter: null,
        session: null,
        lock: null,
        pilot: { state: 'F', positiveV: -12, negativeV: null, output: { mode: 'error' }, dutyPercent: null },
      }),
    );
    assert.match(text, /Pilot +F {2}−12\.0 V {2}duty — {2}output steady −12 V \(state F\)/);
    assert.match(text, /Power +no meter/);
    assert.doesNotMatch(text, /Session|Lock/);
  });

  it('shows the backend link and a boot loop', () => {
    const s = chargerStatus();
    assert.equal(formatBackend({ ...s, ocpp: null }), 'none (standalone)');
    assert.equal(formatBackend({ ...s, ocpp: { connected: true, registration: 'Accepted', queuedMessages: 0 } }), 'OCPP connected, Accepted, 0 transaction message(s) queued');
    assert.equal(
      formatBackend({ ...s, ocpp: { connected: false, registration: 'Pending', queuedMessages: 12 }, supervision: { bootLoop: true, recentStarts: 5 } }),
      'OCPP NOT CONNECTED, Pending, 12 transaction message(s) queued · BOOT LOOP after 5 short starts',
    );
  });

  it('formats durations, empty lists and the simulation', () => {
    assert.equal(formatDuration(59), '0m 59s');
    assert.equal(formatDuration(3725), '1h 02m');
    assert.equal(formatDuration(90061), '1d 1h 01m');
    assert.equal(formatFaultLog([]), 'The fault log is empty.');
    assert.equal(formatSessions([]), 'No sessions recorded.');
    assert.match(formatCleared([]), /^Nothing to clear/);
    assert.equal(formatCleared([{ connectorId: null, fault: 'GroundLoss' }]), 'Cleared GroundLoss on the station');
    const sim = formatSimulation(new FakeSimulation().snapshot());
    assert.match(sim, /Connector 1 {2}plugged, cable 32 A, EV state C, drawing 31\.9\/0\.0\/0\.0 A/);
    assert.match(sim, /Connector 2 {2}unplugged/);
  });
});
