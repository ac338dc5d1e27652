// The whole charger the fail-safe tests break: a socket and a tethered cable, both charging in
// free mode, with the fail-safe path recording its exit instead of taking it.

import { startCharger, type ChargerFixture } from '../../support/charger-fixture.js';

/** sysexits.h EX_SOFTWARE: the code the service manager sees after a software fault. */
export const EX_SOFTWARE = 70;
export const CHARGING = 'connected.session.energized.charging';

export const TWO_CONNECTORS = {
  connectors: [
    { connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' },
    { connectorId: 2, maxCurrentA: 32, phases: 1, kind: 'tethered', cableRatingA: 32 },
  ],
  site: { maxCurrentA: 64 },
  authorization: { mode: 'free' },
};

/** Both connectors charging, the fail-safe path recording. */
export async function bothCharging(): Promise<ChargerFixture> {
  const f = await startCharger(TWO_CONNECTORS, { failSafe: true });
  for (const id of [1, 2]) {
    f.sim.plug(id);
    await f.clock.advanceUntil(() => f.status(id).state === CHARGING, 10_000);
  }
  return f;
}
