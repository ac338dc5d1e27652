import { strict as assert } from 'node:assert';

import { faultView, iso, SESSION, statusFixture, T0 } from './helpers.js';

describe('StatusNotifier: reporting changes', () => {
  const fx = statusFixture();

  it('sends nothing before online(), then connector 0 and every connector', async () => {
    fx.notifier.start();
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.settle();
    assert.equal(fx.sent.length, 0);
    await fx.clock.advance(1000);
    fx.notifier.online();
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['0 Available NoError', '1 Preparing NoError', '2 Available NoError']);
    assert.deepEqual(fx.sent.map((p) => p.timestamp), [iso(T0), iso(T0), iso(T0)]);
  });

  it('sends one notification per change, stamped with the time of the change', async () => {
    await fx.startOnline();
    await fx.clock.advance(5000);
    fx.charger.set(2, { status: 'Preparing', plugged: true });
    await fx.clock.advance(5000);
    await fx.settle();
    assert.deepEqual(fx.sent, [{ connectorId: 2, status: 'Preparing', errorCode: 'NoError', timestamp: iso(T0 + 5000) }]);
  });

  it('sends nothing when a change event brings no new status', async () => {
    await fx.startOnline();
    fx.charger.set(1, { offeredCurrentA: 16 }); // a view change that is not a status change
    fx.charger.set(1, {});
    fx.charger.setStation({ status: 'Available', faults: [] });
    await fx.settle();
    assert.equal(fx.sent.length, 0);
  });

  it('ignores a change event for a connector it does not know', async () => {
    await fx.startOnline();
    fx.charger.emit({ type: 'changed', connectorId: 9 });
    fx.charger.emit({ type: 'sessionStarted', connectorId: 1, session: SESSION });
    await fx.settle();
    assert.equal(fx.sent.length, 0);
  });

  it('walks plug → charge → suspend → finish → unplug as §4.9 has it', async () => {
    await fx.startOnline();
    const steps = [
      { status: 'Preparing', plugged: true }, // A2 plug in
      { status: 'Charging', session: SESSION }, // B3
      { status: 'SuspendedEV' }, // C4 the EV pauses
      { status: 'SuspendedEVSE' }, // D5 smart charging limit
      { status: 'Charging' }, // E3 limit lifted
      { status: 'Finishing', session: null }, // C6 stopped by the user
      { status: 'Available', plugged: false }, // F1 unplugged
    ] as const;
    for (const step of steps) {
      fx.charger.set(1, step);
      await fx.clock.advance(1000);
    }
    assert.deepEqual(fx.briefs(), [
      '1 Preparing NoError',
      '1 Charging NoError',
      '1 SuspendedEV NoError',
      '1 SuspendedEVSE NoError',
      '1 Charging NoError',
      '1 Finishing NoError',
      '1 Available NoError',
    ]);
    assert.deepEqual(fx.sent.map((p) => p.timestamp), steps.map((_, i) => iso(T0 + i * 1000)));
  });

  it('reports a fault as Faulted with its code, and its clearing as the status before', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Charging', plugged: true, session: SESSION });
    fx.charger.set(1, { status: 'Faulted', faults: [faultView('ResidualCurrentAC')] });
    fx.charger.set(1, { status: 'SuspendedEV', faults: [] }); // I4: back once the retry delay passed
    await fx.settle();
    assert.deepEqual(fx.sent.slice(1), [
      { connectorId: 1, status: 'Faulted', errorCode: 'GroundFailure', info: 'Residual current', vendorErrorCode: 'RCD-AC', timestamp: iso(T0) },
      { connectorId: 1, status: 'SuspendedEV', errorCode: 'NoError', timestamp: iso(T0) },
    ]);
  });

  it('reports each newly raised fault once, and the older one again when the newer clears', async () => {
    await fx.startOnline();
    const ground = faultView('ResidualCurrentAC');
    const meter = faultView('MeterFailure');
    fx.charger.set(1, { status: 'Faulted', faults: [ground] });
    fx.charger.set(1, { faults: [ground, meter] });
    fx.charger.set(1, { faults: [ground, meter] }); // nothing new
    fx.charger.set(1, { faults: [ground] });
    fx.charger.set(1, { status: 'Available', faults: [] });
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['1 Faulted GroundFailure', '1 Faulted PowerMeterFailure', '1 Faulted GroundFailure', '1 Available NoError']);
  });

  it('reports the same code again when the detail changes (a fault latches)', async () => {
    await fx.startOnline();
    const welded = faultView('ContactorWelded');
    fx.charger.set(1, { status: 'Faulted', faults: [welded] });
    fx.charger.set(1, { faults: [{ ...welded, info: 'Contactor welded (latched)' }] });
    await fx.settle();
    assert.deepEqual(fx.sent.map((p) => p.info), ['Contactor welded', 'Contactor welded (latched)']);
  });

  it('reports a station fault on connector 0 and on each connector, re-reading all on a change of 0', async () => {
    await fx.startOnline();
    const peLoss = faultView('GroundLoss');
    fx.charger.setQuietly(1, { status: 'Faulted', faults: [peLoss] });
    fx.charger.setQuietly(2, { status: 'Faulted', faults: [peLoss] });
    fx.charger.setStation({ status: 'Faulted', faults: [peLoss] });
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['0 Faulted GroundFailure', '1 Faulted GroundFailure', '2 Faulted GroundFailure']);
    assert.ok(fx.sent.every((p) => p.vendorErrorCode === 'MREC2'));
  });

  it('connector 0 follows the station view, not the connectors', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Charging', plugged: true, session: SESSION });
    fx.charger.setStation({ status: 'Unavailable', faults: [] });
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['1 Charging NoError', '0 Unavailable NoError']);
  });

  it('maps an EVCommunicationError with a vehicle plugged to SuspendedEVSE, not Faulted', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Charging', plugged: true, session: SESSION });
    fx.charger.set(1, { status: 'Faulted', faults: [faultView('PilotFault')] });
    fx.charger.set(1, { status: 'Charging', faults: [] });
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['1 Charging NoError', '1 SuspendedEVSE EVCommunicationError', '1 Charging NoError']);
    assert.equal(fx.sent[1]!.vendorErrorCode, 'MREC14-LEVEL');
  });

  it('a charger that throws while read is logged, not thrown into the charger', async () => {
    await fx.startOnline();
    fx.charger.connector = () => {
      throw new Error('boom');
    };
    assert.doesNotThrow(() => fx.charger.emit({ type: 'changed', connectorId: 1 }));
    assert.equal(fx.logs.length, 1);
  });

  it('stop() unsubscribes and sends nothing more', async () => {
    await fx.startOnline();
    assert.equal(fx.charger.listenerCount, 1);
    fx.notifier.stop();
    assert.equal(fx.charger.listenerCount, 0);
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.settle();
    assert.equal(fx.sent.length, 0);
  });
});
