import { strict as assert } from 'node:assert';

import { OcppCallError } from '../../../app/ocpp/ocpp-types.js';
import { faultView, iso, SESSION, statusFixture, T0 } from './helpers.js';

describe('StatusNotifier: online, offline and sending', () => {
  const fx = statusFixture();

  it('while offline sends nothing, and online() sends only the current status', async () => {
    await fx.startOnline();
    fx.notifier.offline();
    assert.equal(fx.notifier.isOnline, false);
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.clock.advance(1000);
    fx.charger.set(1, { status: 'Charging', session: SESSION });
    await fx.clock.advance(1000);
    fx.charger.set(1, { status: 'Finishing', session: null });
    await fx.clock.advance(1000);
    assert.equal(fx.sent.length, 0);
    fx.notifier.online();
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['0 Available NoError', '1 Finishing NoError', '2 Available NoError']);
    assert.equal(fx.sent[1]!.timestamp, iso(T0 + 2000)); // when Finishing began
  });

  it('online() again (a reconnect) sends every current status again', async () => {
    await fx.startOnline();
    fx.charger.set(2, { status: 'Faulted', faults: [faultView('LockFailure')] });
    await fx.settle();
    fx.sent.length = 0;
    fx.notifier.online();
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['0 Available NoError', '1 Available NoError', '2 Faulted ConnectorLockFailure']);
  });

  it('online() reads the views even if no change event came', async () => {
    fx.notifier.start();
    fx.charger.setQuietly(1, { status: 'Preparing', plugged: true });
    fx.notifier.online();
    await fx.settle();
    assert.equal(fx.sent[1]!.status, 'Preparing');
  });

  it('a send that fails for want of a connection means offline until online()', async () => {
    await fx.startOnline();
    fx.failWith = new OcppCallError('offline', 'StatusNotification', 'not connected');
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.settle();
    assert.equal(fx.notifier.isOnline, false);
    fx.failWith = null;
    fx.charger.set(1, { status: 'Charging', session: SESSION });
    await fx.settle();
    assert.equal(fx.sent.length, 1); // only the failed one
    fx.notifier.online();
    await fx.settle();
    assert.deepEqual(fx.briefs().slice(1), ['0 Available NoError', '1 Charging NoError', '2 Available NoError']);
  });

  it('an unanswered notification (timeout) is not an outage: the backend ends up knowing the current status', async () => {
    await fx.startOnline();
    fx.manual = true;
    // What a backend that ignores one StatusNotification and then answers believes.
    const believed = new Map<number, string>();
    const answer = () => {
      const head = fx.pending.shift()!;
      believed.set(head.payload.connectorId, head.payload.status);
      head.resolve();
    };
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.settle();
    fx.pending.shift()!.reject(new OcppCallError('timeout', 'StatusNotification', 'no answer'));
    await fx.settle();
    assert.equal(fx.notifier.isOnline, true);
    for (const view of [{ status: 'Charging', session: SESSION }, { status: 'Finishing', session: null }, { status: 'Available', plugged: false }] as const) {
      await fx.clock.advance(1000);
      fx.charger.set(1, view);
      await fx.settle();
      while (fx.pending.length > 0) {
        answer();
        await fx.settle();
      }
    }
    assert.equal(believed.get(1), 'Available');
    assert.deepEqual(fx.briefs(), ['1 Preparing NoError', '1 Preparing NoError', '1 Charging NoError', '1 Finishing NoError', '1 Available NoError']);
  });

  it('after a timeout only the latest status goes again, not one per change made meanwhile', async () => {
    await fx.startOnline();
    fx.manual = true;
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.settle();
    fx.charger.set(1, { status: 'Charging', session: SESSION }); // queued behind the one in flight
    fx.pending.shift()!.reject(new OcppCallError('timeout', 'StatusNotification', 'no answer'));
    await fx.settle();
    fx.pending.shift()!.resolve();
    await fx.settle();
    assert.equal(fx.pending.length, 0);
    assert.deepEqual(fx.briefs(), ['1 Preparing NoError', '1 Charging NoError']);
  });

  it('a flip back to the status that timed out, during MinimumStatusDuration, is sent', async () => {
    await fx.minimumStatusDuration(10);
    await fx.startOnline();
    fx.manual = true;
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.clock.advance(10_000);
    await fx.settle();
    fx.charger.set(1, { status: 'Available', plugged: false }); // waits out its 10 s
    fx.pending.shift()!.reject(new OcppCallError('timeout', 'StatusNotification', 'no answer'));
    await fx.settle();
    fx.charger.set(1, { status: 'Preparing', plugged: true }); // back before Available was sent
    await fx.clock.advance(10_000);
    await fx.settle();
    assert.equal(fx.pending.length, 1);
    assert.equal(fx.pending[0]!.payload.status, 'Preparing');
  });

  it('a CALLERROR answer keeps it online: the next change is sent', async () => {
    await fx.startOnline();
    fx.failWith = new OcppCallError('call-error', 'StatusNotification', 'refused', 'InternalError');
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.settle();
    assert.equal(fx.notifier.isOnline, true);
    fx.failWith = null;
    fx.charger.set(1, { status: 'Charging', session: SESSION });
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['1 Preparing NoError', '1 Charging NoError']);
  });

  it('sends one at a time, in order', async () => {
    await fx.startOnline();
    fx.manual = true;
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    fx.charger.set(2, { status: 'Preparing', plugged: true });
    fx.charger.set(1, { status: 'Charging', session: SESSION });
    await fx.settle();
    assert.equal(fx.pending.length, 1);
    for (const expected of ['1 Preparing', '2 Preparing', '1 Charging']) {
      const head = fx.pending.shift()!;
      assert.equal(`${head.payload.connectorId} ${head.payload.status}`, expected);
      assert.equal(fx.pending.length, 0);
      head.resolve();
      await fx.settle();
    }
    assert.equal(fx.sent.length, 3);
  });

  it('a failed send drops what waited behind it', async () => {
    await fx.startOnline();
    fx.manual = true;
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    fx.charger.set(2, { status: 'Preparing', plugged: true });
    await fx.settle();
    fx.pending.shift()!.reject(new Error('socket closed'));
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['1 Preparing NoError']);
    assert.equal(fx.pending.length, 0);
  });

  it('online() while a send is in flight waits for it; its late failure does not take the new link down', async () => {
    await fx.startOnline();
    fx.manual = true;
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.settle();
    fx.notifier.online(); // reconnected before the old call failed
    await fx.settle();
    assert.equal(fx.pending.length, 1);
    fx.pending.shift()!.reject(new OcppCallError('offline', 'StatusNotification', 'connection lost'));
    await fx.settle();
    assert.equal(fx.notifier.isOnline, true);
    assert.equal(fx.pending.length, 1);
    assert.equal(fx.pending[0]!.payload.connectorId, 0);
  });
});
