// The firmware process against a hostile backend (tools/fuzz): tens of thousands of seeded fuzz
// frames, valid destructive commands among them, Soft Resets, frames that must break the WebSocket,
// a reset racing a closing link. Every answer is checked (tools/fuzz/fuzz-run.ts); afterwards the
// process is alive, connected, and bills a whole session correctly.
//
// FUZZ_SEED=<n> replays a run (the seed is printed on failure); FUZZ_FRAMES=<n> changes its length.

import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runFuzz, type FuzzReport } from '../../../tools/fuzz/fuzz-run.js';
import { HostileBackend, type ChargerCall } from '../../../tools/fuzz/hostile-backend.js';
import { seedFrom } from '../../../tools/seeded-random.js';
import { CARDS, processTestFixture, status, until, writeConfig } from './firmware.js';

const FRAMES = Number(process.env['FUZZ_FRAMES'] ?? 20_000);

describe('ocpp/process: a hostile backend fuzzing the charger', function () {
  this.timeout(180_000);
  const f = processTestFixture('charger-fuzz-');

  it(`survives ${FRAMES} fuzz frames with every answer right, then bills a whole session`, async () => {
    const seed = seedFrom(process.env['FUZZ_SEED'], 'FUZZ_SEED');
    const replay = `(replay: FUZZ_SEED=${seed} FUZZ_FRAMES=${FRAMES})`;
    const backend = await HostileBackend.start();
    try {
      const config = await writeConfig(f.dir, { csmsUrl: backend.url, keys: { WebSocketPingInterval: '0' } });
      const fw = f.spawn(config, join(f.dir, 'data'));
      await fw.running();
      const report: FuzzReport = await runFuzz(backend, { seed, frames: FRAMES });
      console.log(`      seed ${seed}: ${report.framesSent} frames, ${report.answersChecked} answers checked, ${report.linkDrops} link drops (${report.lostToLinkDrops} answers lost with them) in ${report.elapsedMs} ms`);
      const tail = () => `${replay}\nstderr:\n${fw.stderr.slice(-3000)}\nstdout:\n${fw.stdout.slice(-3000)}`;
      assert.deepEqual(report.failures, [], `${report.failures.length} check(s) failed ${tail()}`);
      assert.ok(fw.alive, `the firmware exited ${tail()}`);
      assert.equal(report.framesSent, FRAMES);
      assert.ok(report.answersChecked > FRAMES / 2, `${report.answersChecked} answers checked ${replay}`);
      assert.equal(report.linkDrops, 4, `links dropped by the run's 4 link events only ${replay}`);
      assert.deepEqual(backend.strays, [], 'every frame from the charger an OCPP-J CALL or answer');

      // The link is up; the fuzz left connectors Inoperative: make them Operative again.
      await until('connected', async () => (await status(fw)).ocpp.connected, 20_000, tail);
      for (const connectorId of [0, 1, 2]) {
        const id = `operative-${connectorId}`;
        backend.send(JSON.stringify([2, id, 'ChangeAvailability', { connectorId, type: 'Operative' }]));
        const answer = await backend.answerTo(id);
        assert.equal(answer[0], 3, `${JSON.stringify(answer)} ${replay}`);
      }

      // A whole session, billed: one Start and one Stop with the id the backend gave.
      const seen = backend.calls.length;
      const connector = async () => (await fw.api('GET', '/api/v1/connectors/1')).status as string;
      await until('connector 1 Available', async () => (await connector()) === 'Available', 10_000, tail);
      await fw.api('POST', '/api/v1/sim/connectors/1/plug', { ev: { wakeDelayMs: 0, socPercent: 20 } });
      await until('connector 1 Preparing', async () => (await connector()) === 'Preparing', 5000, tail);
      await fw.api('POST', '/api/v1/sim/rfid', { uid: CARDS[0] });
      await until('connector 1 Charging', async () => (await connector()) === 'Charging', 8000, tail);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // some energy on the meter
      await fw.api('POST', '/api/v1/sim/connectors/1/unplug');
      const calls = (action: string): ChargerCall[] => backend.calls.slice(seen).filter((c) => c.action === action);
      await until('StopTransaction', () => calls('StopTransaction').length > 0, 10_000, tail);
      const [start, ...moreStarts] = calls('StartTransaction');
      const [stop, ...moreStops] = calls('StopTransaction');
      assert.ok(start, 'a StartTransaction');
      assert.deepEqual([moreStarts.length, moreStops.length], [0, 0], 'exactly one Start and one Stop');
      assert.equal(start.payload['connectorId'], 1);
      assert.equal(start.payload['idTag'], CARDS[0]);
      const startAnswerIndex = backend.calls.filter((c) => c.action === 'StartTransaction').indexOf(start);
      assert.equal(stop!.payload['transactionId'], startAnswerIndex + 1, 'the transactionId the backend assigned');
      assert.ok(Number(stop!.payload['meterStop']) >= Number(start.payload['meterStart']));
      assert.equal(stop!.payload['reason'], 'EVDisconnected');
      assert.ok(fw.alive);
    } catch (error) {
      (error as Error).message += ` ${replay}`;
      throw error;
    } finally {
      await backend.close();
    }
  });
});
