import { strict as assert } from 'node:assert';

import type { ConnectorView, FaultView } from '../../../app/ocpp/charger-port.js';
import { connectorReport, EV_SIDE_DISCONNECTED, reportKey, stationReport } from '../../../app/ocpp/status/status-report.js';
import { connectorView } from '../fake-charger-port.js';
import { faultView, SESSION } from './helpers.js';

const view = (change: Partial<ConnectorView>): ConnectorView => connectorView(1, change);
const plugged = (change: Partial<ConnectorView>): ConnectorView => view({ plugged: true, session: SESSION, ...change });

describe('status report (§4.9, §7.6)', () => {
  it('reports NoError without info or vendorErrorCode when there is no fault', () => {
    assert.deepEqual(connectorReport(view({})), { connectorId: 1, status: 'Available', errorCode: 'NoError' });
  });

  it('carries the fault as the standard code, with our detail in info and vendorErrorCode', () => {
    const r = connectorReport(view({ status: 'Faulted', faults: [faultView('ResidualCurrentAC')] }));
    assert.deepEqual(r, { connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', info: 'Residual current', vendorErrorCode: 'RCD-AC' });
  });

  it('cuts info and vendorErrorCode to 50 characters (CiString50)', () => {
    const long: FaultView = { ...faultView('MeterFailure'), info: 'i'.repeat(60), vendorErrorCode: 'v'.repeat(51) };
    const r = connectorReport(view({ status: 'Faulted', faults: [long] }));
    assert.equal(r.info, 'i'.repeat(50));
    assert.equal(r.vendorErrorCode, 'v'.repeat(50));
  });

  it('gives OtherError for a code outside §7.6', () => {
    const odd = { ...faultView('MeterFailure'), ocppErrorCode: 'Melted' } as unknown as FaultView;
    assert.equal(connectorReport(view({ status: 'Faulted', faults: [odd] })).errorCode, 'OtherError');
  });

  it('reports the newest raised of several faults', () => {
    const faults = [faultView('GroundLoss'), faultView('MeterFailure')];
    const r = connectorReport(view({ status: 'Faulted', faults }));
    assert.equal(r.errorCode, 'PowerMeterFailure');
    assert.equal(r.vendorErrorCode, 'METER');
  });

  it('Faulted prefers a real fault to a newer EVCommunicationError', () => {
    const r = connectorReport(plugged({ status: 'Faulted', faults: [faultView('LockFailure'), faultView('PilotFault')] }));
    assert.deepEqual([r.status, r.errorCode, r.vendorErrorCode], ['Faulted', 'ConnectorLockFailure', 'LOCK']);
  });

  it('Faulted with an EVCommunicationError only, vehicle plugged: SuspendedEVSE (§7.6), a warning', () => {
    const r = connectorReport(plugged({ status: 'Faulted', faults: [faultView('DiodeFault')] }));
    assert.deepEqual([r.status, r.errorCode, r.vendorErrorCode], ['SuspendedEVSE', 'EVCommunicationError', 'DIODE']);
  });

  it('Faulted with an EVCommunicationError and no vehicle: Faulted with OtherError, our code kept', () => {
    const r = connectorReport(view({ status: 'Faulted', faults: [faultView('PilotShortToGround')] }));
    assert.deepEqual([r.status, r.errorCode, r.vendorErrorCode], ['Faulted', 'OtherError', 'MREC14']);
  });

  for (const status of ['Charging', 'SuspendedEV'] as const) {
    it(`${status} with an EVCommunicationError becomes SuspendedEVSE (precedence, §4.9)`, () => {
      const r = connectorReport(plugged({ status, faults: [faultView('PilotFault')] }));
      assert.deepEqual([r.status, r.errorCode], ['SuspendedEVSE', 'EVCommunicationError']);
    });
  }

  for (const status of ['Preparing', 'SuspendedEVSE', 'Finishing'] as const) {
    it(`${status} keeps its status with an EVCommunicationError warning`, () => {
      const r = connectorReport(plugged({ status, faults: [faultView('PilotFault')] }));
      assert.deepEqual([r.status, r.errorCode], [status, 'EVCommunicationError']);
    });
  }

  it('SuspendedEV without a fault stays SuspendedEV', () => {
    assert.equal(connectorReport(plugged({ status: 'SuspendedEV' })).status, 'SuspendedEV');
  });

  it('never pairs EVCommunicationError with Available', () => {
    const r = connectorReport(view({ status: 'Available', faults: [faultView('PilotFault')] }));
    assert.deepEqual([r.status, r.errorCode], ['Available', 'OtherError']);
  });

  it('an error with a non-Faulted status is reported as it is (a warning)', () => {
    const r = connectorReport(plugged({ status: 'Preparing', faults: [faultView('CableInvalid')] }));
    assert.deepEqual([r.status, r.errorCode, r.vendorErrorCode], ['Preparing', 'OtherError', 'PP-INVALID']);
  });

  it('Faulted naming no fault is an InternalError', () => {
    const r = connectorReport(view({ status: 'Faulted' }));
    assert.equal(r.errorCode, 'InternalError');
  });

  it('says "EV side disconnected" when a session outlives the vehicle (§4.9)', () => {
    for (const status of ['SuspendedEV', 'Finishing'] as const) {
      assert.equal(connectorReport(view({ status, session: SESSION, plugged: false })).info, EV_SIDE_DISCONNECTED);
      assert.equal(connectorReport(view({ status, session: SESSION, plugged: true })).info, undefined);
      assert.equal(connectorReport(view({ status, session: null, plugged: false })).info, undefined);
    }
  });

  it('connector 0 is only Available, Unavailable or Faulted', () => {
    assert.equal(stationReport({ status: 'Unavailable', faults: [] }).status, 'Unavailable');
    const bogus = { status: 'Charging', faults: [] } as unknown as Parameters<typeof stationReport>[0];
    assert.equal(stationReport(bogus).status, 'Unavailable');
    const bogusFaulted = { status: 'Preparing', faults: [faultView('GroundLoss')] } as unknown as Parameters<typeof stationReport>[0];
    assert.deepEqual([stationReport(bogusFaulted).status, stationReport(bogusFaulted).errorCode], ['Faulted', 'GroundFailure']);
  });

  it('connector 0 never reports EVCommunicationError', () => {
    const r = stationReport({ status: 'Faulted', faults: [faultView('PilotFault')] });
    assert.deepEqual([r.connectorId, r.status, r.errorCode], [0, 'Faulted', 'OtherError']);
  });

  it('the change key follows status, code and detail', () => {
    const a = connectorReport(view({ status: 'Faulted', faults: [faultView('ResidualCurrentAC')] }));
    const b = connectorReport(view({ status: 'Faulted', faults: [faultView('GroundLoss')] })); // same code, other detail
    assert.equal(reportKey(a), reportKey({ ...a }));
    assert.notEqual(reportKey(a), reportKey(b));
    assert.notEqual(reportKey(a), reportKey({ ...a, status: 'Unavailable' }));
  });
});
