import { strict as assert } from 'node:assert';

import { faultView, iso, SESSION, statusFixture, T0 } from './helpers.js';

describe('StatusNotifier: MinimumStatusDuration (§4.9, §9.1.20)', () => {
  const fx = statusFixture();

  beforeEach(() => fx.minimumStatusDuration(10));

  it('sends a status once it has been stable that long, stamped when it began', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.clock.advance(9999);
    assert.equal(fx.sent.length, 0);
    await fx.clock.advance(1);
    assert.deepEqual(fx.briefs(), ['1 Preparing NoError']);
    assert.equal(fx.sent[0]!.timestamp, iso(T0));
  });

  it('never sends a status that flips back within it', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.clock.advance(3000);
    fx.charger.set(1, { status: 'Available', plugged: false });
    await fx.clock.advance(60_000);
    assert.equal(fx.sent.length, 0);
  });

  it('sends only the status that lasted: Preparing → (3 s) Charging gives Charging', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.clock.advance(3000);
    fx.charger.set(1, { status: 'Charging', session: SESSION });
    await fx.clock.advance(9999);
    assert.equal(fx.sent.length, 0);
    await fx.clock.advance(1);
    assert.deepEqual(fx.briefs(), ['1 Charging NoError']);
    assert.equal(fx.sent[0]!.timestamp, iso(T0 + 3000));
  });

  it('does not delay Faulted, nor a warning, but delays the return to NoError', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Faulted', faults: [faultView('OverTemperature')] });
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['1 Faulted HighTemperature']);
    fx.charger.set(2, { status: 'Preparing', plugged: true, faults: [faultView('CableInvalid')] });
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['1 Faulted HighTemperature', '2 Preparing OtherError']);
    fx.charger.set(1, { status: 'Available', faults: [] });
    await fx.clock.advance(9999);
    assert.equal(fx.sent.length, 2);
    await fx.clock.advance(1);
    assert.deepEqual(fx.briefs().slice(2), ['1 Available NoError']);
  });

  it('a fault that comes back within it is not reported as cleared', async () => {
    await fx.startOnline();
    const hot = faultView('OverTemperature');
    fx.charger.set(1, { status: 'Faulted', faults: [hot] });
    await fx.clock.advance(1000);
    fx.charger.set(1, { status: 'Available', faults: [] });
    await fx.clock.advance(5000);
    fx.charger.set(1, { status: 'Faulted', faults: [hot] });
    await fx.clock.advance(60_000);
    assert.deepEqual(fx.briefs(), ['1 Faulted HighTemperature']);
  });

  it('a change of the key applies to the next status', async () => {
    await fx.startOnline();
    await fx.minimumStatusDuration(0);
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.settle();
    assert.deepEqual(fx.briefs(), ['1 Preparing NoError']);
  });

  it('offline() drops a waiting status; online() sends the current one, once', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.clock.advance(2000);
    fx.notifier.offline();
    await fx.clock.advance(20_000);
    assert.equal(fx.sent.length, 0);
    fx.notifier.online();
    await fx.clock.advance(20_000);
    assert.deepEqual(fx.briefs(), ['0 Available NoError', '1 Preparing NoError', '2 Available NoError']);
  });

  it('online() sends a status not yet stable, and its timer does not send it again', async () => {
    await fx.startOnline();
    fx.charger.set(1, { status: 'Preparing', plugged: true });
    await fx.clock.advance(2000);
    fx.notifier.online();
    await fx.clock.advance(20_000);
    assert.deepEqual(fx.briefs(), ['0 Available NoError', '1 Preparing NoError', '2 Available NoError']);
  });
});
