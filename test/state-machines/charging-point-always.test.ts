// The charging point moves on its input events as guarded transitions, so its diagram shows which
// input moves it. An eventless re-check (`always`) stays only in these states, each for its reason
// (state-machines/charging-point.ts says the same where the root records its inputs).

import { strict as assert } from 'node:assert';
import { getStateNodes } from 'xstate/graph';
import { chargingPointMachine } from '../../state-machines/charging-point.js';

const EVENTLESS: Readonly<Record<string, string>> = {
  'point.idle': 'decides on entry too: an EV still plugged in when a fault clears',
  'point.idle.releasing': 'a choice made once on entry',
  'point.connected': 'an unplug under the keep-session rule: PILOT, CONFIGURE and the state',
  'point.connected.awaitingAuthorization': 'decides on entry too (a card before the plug): AUTHORIZED, OPERATIVE, PILOT',
  'point.connected.session': 'an unplug under the keep-session rule: PILOT, CONFIGURE and the state',
  'point.connected.session.preparing': 'decides on entry too: LOCK, CABLE, LIMIT',
  'point.connected.session.offering': 'the close preconditions: eight inputs and the contactor rest timer',
  'point.connected.session.suspendedEV': 'the close preconditions: eight inputs and the contactor rest timer',
  'point.connected.session.suspendedEVSE.resumable': 'decides on entry too (after the PWM hold): LIMIT',
  'point.fault.entering': 'a choice made once on entry',
  'pwmPacing.ready': 'LIMIT and the PWM the point region sets',
};

describe('chargingPointMachine inputs', () => {
  it('re-checks without an event only in the states that say why', () => {
    const eventless = getStateNodes(chargingPointMachine.root).filter((node) => node.always?.length).map((node) => node.path.join('.'));
    assert.deepEqual(eventless.sort(), Object.keys(EVENTLESS).sort());
  });
});
