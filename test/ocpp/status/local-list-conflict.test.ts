// §3.5.2: a conflict between the Local Authorization List and what the Central System says of an
// idTag is reported as a StatusNotification of connector 0 with errorCode LocalListConflict.

import { strict as assert } from 'node:assert';

import { iso, statusFixture, T0 } from './helpers.js';

describe('StatusNotifier: LocalListConflict (§3.5.2)', () => {
  const fx = statusFixture();

  it('connector 0 reports LocalListConflict with its status, then its current report again, both stamped now', async () => {
    await fx.startOnline();
    await fx.clock.advance(7000);
    fx.notifier.localListConflict('04A1B2');
    await fx.settle();
    assert.deepEqual(fx.sent, [
      { connectorId: 0, status: 'Available', errorCode: 'LocalListConflict', info: 'local list: 04A1B2', timestamp: iso(T0 + 7000) },
      { connectorId: 0, status: 'Available', errorCode: 'NoError', timestamp: iso(T0 + 7000) },
    ]);
  });

  it('nothing while offline (§4.9)', async () => {
    fx.notifier.start();
    fx.notifier.localListConflict('04A1B2');
    await fx.settle();
    assert.deepEqual(fx.sent, []);
  });
});
