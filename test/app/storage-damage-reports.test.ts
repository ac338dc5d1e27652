// Every damaged data file found at start is reported three ways (issue 9 items 3, 4): an error log
// line, the file kept aside, and a StorageCorruption security event naming it.

import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { composeCharger, type ChargerParts } from '../../app/compose.js';
import { CONFIGURATION_FILE } from '../../app/ocpp/configuration/configuration-store.js';
import { QUEUE_DIR } from '../../app/ocpp/ocpp-client.js';
import { SESSIONS_FILE } from '../../app/persistence/session-store.js';
import { loadBoardProfile } from '../../config/board-profile.js';
import { SIM_METER_FILE } from '../../hal/load-board.js';
import { VirtualClock } from '../../hal/clock.js';
import { baseConfig } from '../ocpp/e2e/ocpp-rig.js';

describe('app: damaged data files found at start are reported', () => {
  let dataDir: string;
  let parts: ChargerParts | null = null;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'charger-damage-'));
  });
  afterEach(async () => {
    await parts?.ocpp?.stop();
    await parts?.charger.stop();
    await parts?.board.hardware.close();
    parts = null;
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  });

  it('sessions, configuration, the sim meter and the transaction journal: error lines, kept aside, security events', async () => {
    const garbage = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 131 + 7) & 0xff));
    await writeFile(join(dataDir, SESSIONS_FILE), garbage);
    await writeFile(join(dataDir, CONFIGURATION_FILE), Buffer.alloc(64));
    await writeFile(join(dataDir, SIM_METER_FILE), '{"registers":{"1":12');
    await mkdir(join(dataDir, QUEUE_DIR));
    await writeFile(join(dataDir, QUEUE_DIR, 'seg-0000000001.log'), garbage);

    const config = baseConfig({}, 'ws://127.0.0.1:9', {});
    const errors: string[] = [];
    const persistence: string[] = [];
    parts = await composeCharger({
      config,
      profile: loadBoardProfile(config.board),
      dataDir,
      clock: new VirtualClock(),
      ocpp: { tls: {}, firmwareVersion: '0.1.0-test', log: (level, message) => void (level === 'error' && errors.push(message)), restart: () => undefined, connectDelayMs: 3_600_000 },
      chargerLog: () => undefined,
      reportPersistence: (problem) => void persistence.push((problem as { message: string }).message),
    });

    const events = parts.securityEvents.list();
    assert.ok(events.every((e) => e.type === 'StorageCorruption' && e.critical));
    for (const file of [SESSIONS_FILE, CONFIGURATION_FILE, SIM_METER_FILE, 'seg-0000000001.log']) {
      assert.ok(events.some((e) => e.techInfo?.includes(file)), `a security event names ${file}: ${JSON.stringify(events)}`);
      assert.ok([...errors, ...persistence].some((line) => line.includes(file)), `an error line names ${file}`);
    }
    const kept = [...(await readdir(dataDir)), ...(await readdir(join(dataDir, QUEUE_DIR)))].filter((n) => n.includes('.corrupt-'));
    assert.equal(kept.length, 4, kept.join());
  });
});
