// CALLs the backend leaves unanswered, end to end over a real WebSocket (issue 9 items 9, 12): a
// timeout is not an outage and not a failed attempt. The link is tested with a ping; a dead one is
// replaced, a live one kept; nothing is discarded and the backend ends up knowing what happened.

import { strict as assert } from 'node:assert';
import { CARD, E2e } from './ocpp-rig.js';

const CALL_TIMEOUT_S = 5; // the least the config allows: each timeout costs this much real time
const SLOW = { virtualMs: 3_600_000, realMs: 30_000 };
const never = (): Promise<never> => new Promise(() => undefined);

describe('OCPP e2e: unanswered CALLs', function () {
  this.timeout(60_000);
  const e2e = new E2e();
  afterEach(() => e2e.cleanup());

  it('WebSocketPingInterval 0, a silently dead link: no MeterValues discarded, all delivered after the reconnect', async () => {
    const { csms, rig } = await e2e.cardRig({
      config: { ocpp: { callTimeoutS: CALL_TIMEOUT_S } },
      ocppKeys: { WebSocketPingInterval: '0', MeterValueSampleInterval: '60', TransactionMessageAttempts: '1' },
    });
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    await rig.next('StartTransaction', 0);
    // The link goes silent: no answers, no pongs (the charger never pings on its own).
    csms.answerPings(rig.cpId, false);
    csms.setHandler('MeterValues', never);
    const mark = rig.mark();
    const unanswered = await rig.next<{ meterValue: Array<{ timestamp: string }> }>('MeterValues', mark);
    csms.setHandler('MeterValues', null); // the next connection is a healthy one
    await rig.until(() => rig.logs.some((l) => /no pong within/.test(l)), 'the link tested and found dead', SLOW);
    await rig.until(
      () => rig.payloads<{ meterValue: Array<{ timestamp: string }> }>('MeterValues', mark).filter((p) => p.meterValue[0]!.timestamp === unanswered.meterValue[0]!.timestamp).length === 2,
      'the unanswered MeterValues sent again on the new connection',
      SLOW,
    );
    rig.sim.presentCard(CARD);
    await rig.next('StopTransaction', mark, () => true, SLOW);
    await rig.until(() => rig.client.status.queuedMessages === 0, 'the queue drained', SLOW);
    assert.equal(rig.logs.filter((l) => /discarded/.test(l)).length, 0, 'nothing discarded');
    assert.equal(rig.logs.filter((l) => /OCPP connected/.test(l)).length, 2, 'a new connection');
  });

  it('the backend ignores one StatusNotification, then answers: it ends up knowing the current status, on the same link', async () => {
    const { csms, rig } = await e2e.cardRig({ config: { ocpp: { callTimeoutS: CALL_TIMEOUT_S } } });
    let ignored = 0;
    csms.setHandler('StatusNotification', () => (ignored++ === 0 ? never() : {}));
    const mark = rig.mark();
    await rig.plug(1); // Preparing: unanswered
    await rig.until(() => rig.logs.some((l) => /status notification unanswered/.test(l)), 'the call timeout', SLOW);
    await rig.card(CARD);
    await rig.untilCharging(1);
    await rig.card(CARD);
    await rig.until(() => rig.connectorState(1) === 'connected.finishing', 'stopped');
    rig.sim.unplug(1);
    await rig.until(() => rig.connectorState(1) === 'idle.vacant', 'unplugged');
    await rig.until(() => rig.statuses(1, mark).at(-1) === 'Available' && rig.statuses(1, mark).includes('Charging'), 'the backend told Charging, then Available', SLOW);
    assert.equal(rig.logs.filter((l) => /OCPP connected/.test(l)).length, 1, 'no reconnect needed');
    const told = rig.statuses(1, mark);
    assert.deepEqual(told.slice(0, 2), ['Preparing', 'Preparing'], 'the unanswered one sent again, once');
    assert.deepEqual(told.slice(-2), ['Finishing', 'Available']);
  });
});
