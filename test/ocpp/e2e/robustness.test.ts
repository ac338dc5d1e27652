// Bad frames sent raw by the CSMS to the full charger: the right CALLERROR, the same connection
// kept, and the charger still charging and answering afterwards.

import { strict as assert } from 'node:assert';
import { CARD, E2e, OcppRig } from './ocpp-rig.js';
import type { DevCsms } from '../../../tools/dev-csms/csms.js';
import type { RecordedMessage } from '../../../tools/dev-csms/types.js';

describe('OCPP e2e: malformed and hostile frames', function () {
  const e2e = new E2e();
  let csms: DevCsms;
  let rig: OcppRig;

  beforeEach(async () => ({ csms, rig } = await e2e.cardRig()));
  afterEach(() => e2e.cleanup());

  async function answerTo(messageId: string): Promise<RecordedMessage> {
    let found: RecordedMessage | undefined;
    await rig.until(() => (found = csms.messages({ chargePointId: rig.cpId, direction: 'in' }).find((m) => m.messageId === messageId)) !== undefined, `the answer to ${messageId}`);
    return found!;
  }

  const errorCode = (m: RecordedMessage) => (m.payload as { errorCode: string }).errorCode;

  it('each bad frame gets its CALLERROR; the session and the connection carry on', async () => {
    const mark = rig.mark();
    await rig.plug(1);
    await rig.card(CARD);
    await rig.untilCharging(1);
    let reconnected = false;
    csms.on('connect', () => (reconnected = true));

    csms.sendRaw(rig.cpId, '[2, "bad-json-1", "Reset", {"type": "Soft"');
    const malformed = await answerTo('bad-json-1');
    assert.equal(malformed.messageType, 'CALLERROR');
    assert.equal(errorCode(malformed), 'FormationViolation');

    csms.sendRaw(rig.cpId, JSON.stringify([2, 'unknown-1', 'FlyToTheMoon', {}]));
    const unknown = await answerTo('unknown-1');
    assert.equal(unknown.messageType, 'CALLERROR');
    assert.equal(errorCode(unknown), 'NotImplemented');

    csms.sendRaw(rig.cpId, JSON.stringify([2, 'schema-1', 'ChangeAvailability', { connectorId: 'one', type: 'Inoperative' }]));
    const typeBad = await answerTo('schema-1');
    assert.equal(typeBad.messageType, 'CALLERROR');
    assert.equal(errorCode(typeBad), 'TypeConstraintViolation');

    csms.sendRaw(rig.cpId, JSON.stringify([2, 'schema-2', 'Reset', {}]));
    const missing = await answerTo('schema-2');
    assert.equal(errorCode(missing), 'OccurenceConstraintViolation', 'a required field missing, in the OCPP-J 1.6 spelling');

    csms.sendRaw(rig.cpId, JSON.stringify([2, 'schema-3', 'Reset', { type: 'Sideways' }]));
    const badEnum = await answerTo('schema-3');
    assert.equal(badEnum.messageType, 'CALLERROR');
    assert.ok(['PropertyConstraintViolation', 'FormationViolation', 'TypeConstraintViolation'].includes(errorCode(badEnum)), errorCode(badEnum));

    csms.sendRaw(rig.cpId, JSON.stringify([2, 'huge-1', 'DataTransfer', { vendorId: 'x', data: 'A'.repeat(100 * 1024) }]));
    const huge = await answerTo('huge-1');
    assert.equal(huge.messageType, 'CALLERROR');
    assert.equal(errorCode(huge), 'FormationViolation');

    csms.sendRaw(rig.cpId, 'this is not OCPP at all');
    csms.sendRaw(rig.cpId, JSON.stringify([9, 'weird-type', 'Reset', { type: 'Soft' }]));
    await rig.pass(3000);
    assert.equal(rig.calls(undefined, mark).filter((m) => m.messageType === 'CALLERROR').length, 0);

    // Nothing was acted on, nothing was dropped.
    assert.deepEqual(rig.restarts, [], 'the malformed Reset did nothing');
    assert.equal(reconnected, false, 'the same connection throughout');
    assert.equal(rig.connectorState(1), 'connected.session.energized.charging');
    assert.equal(rig.statuses(1, mark).includes('Unavailable'), false);
    assert.deepEqual(await rig.call('DataTransfer', { vendorId: 'x', data: 'small' }), { status: 'UnknownVendorId' });
    const config = await rig.call('GetConfiguration', { key: ['NumberOfConnectors'] });
    assert.equal(config.configurationKey[0].value, '2');
    await rig.card(CARD);
    const stop = await rig.next('StopTransaction', mark);
    assert.equal(stop.reason, 'Local');
  });

  it('an action the charge point knows but does not support: NotSupported', async () => {
    const failure = await rig.call('TriggerMessage', { requestedMessage: 'Heartbeat' }).then(() => null, (e: { errorCode?: string }) => e);
    assert.ok(failure);
    assert.equal(failure.errorCode, 'NotSupported');
  });
});
