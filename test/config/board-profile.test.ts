import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { BOARDS_DIR, BoardProfileError, coilInterlockWarning, listBoardProfiles, loadBoardProfile, type DirectBoardProfile } from '../../config/board-profile.js';

describe('config/board-profile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-boards-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds config/boards/ of the project from the compiled code', () => {
    assert.equal(basename(BOARDS_DIR), 'boards');
    assert.equal(basename(dirname(BOARDS_DIR)), 'config');
    assert.ok(existsSync(join(BOARDS_DIR, 'sim.json')));
    assert.ok(!BOARDS_DIR.includes(join('dist', 'config')));
  });

  it('lists the sim board', () => {
    assert.ok(listBoardProfiles().includes('sim'));
  });

  it('loads the sim profile, frozen', () => {
    const profile = loadBoardProfile('sim');
    assert.deepEqual(profile, {
      name: 'sim',
      description: 'Simulated board: virtual EV, mains and hardware; runs on any machine',
      driver: 'sim',
      contactorDropOutMs: 20,
    });
    assert.ok(Object.isFrozen(profile));
  });

  it('an unknown board lists the available ones', () => {
    assert.throws(() => loadBoardProfile('nope'), (err: unknown) => err instanceof BoardProfileError && /no such board profile; available: .*sim/.test(err.message));
  });

  it('rejects names that are not plain file names', () => {
    assert.throws(() => loadBoardProfile('../sim'), BoardProfileError);
    assert.throws(() => loadBoardProfile(''), BoardProfileError);
  });

  it('checks the profile file', async () => {
    await writeFile(join(dir, 'a.json'), JSON.stringify({ name: 'a', description: 'x', driver: 'gpio' }));
    await writeFile(join(dir, 'b.json'), JSON.stringify({ name: 'other', description: 'x', driver: 'sim' }));
    await writeFile(join(dir, 'c.json'), '{ nope');
    await writeFile(join(dir, 'd.json'), JSON.stringify({ name: 'd', description: 'ok', driver: 'sim', contactorDropOutMs: 20 }));
    await writeFile(join(dir, 'README.md'), 'not a profile');
    assert.deepEqual(listBoardProfiles(dir), ['a', 'b', 'c', 'd']);
    assert.throws(() => loadBoardProfile('a', dir), /driver must be one of "sim", "direct", "coprocessor" \(got "gpio"\)/);
    assert.throws(() => loadBoardProfile('b', dir), /"name" must be "b" \(got "other"\)/);
    assert.throws(() => loadBoardProfile('c', dir), BoardProfileError);
    assert.equal(loadBoardProfile('d', dir).description, 'ok');
    assert.deepEqual(listBoardProfiles(join(dir, 'missing')), []);
  });

  it('ships a direct-wired and a co-processor reference profile that pass the schema', () => {
    const direct = loadBoardProfile('direct-ref');
    assert.equal(direct.driver, 'direct');
    assert.ok(direct.driver === 'direct' && direct.connectors[0]!.contactor.coil.line >= 0);
    const coprocessor = loadBoardProfile('coprocessor-ref');
    assert.ok(coprocessor.driver === 'coprocessor' && coprocessor.can.interface === 'can0');
  });

  it('names the wrong field of a real board profile and what it allows', async () => {
    const profile = JSON.parse(readFileSync(join(BOARDS_DIR, 'direct-ref.json'), 'utf8'));
    profile.name = 'broken';
    profile.connectors[0].pilot.adc.highChannel = 7;
    profile.station.rfid.protocol = 'wiegand';
    delete profile.connectors[0].meter.unitId;
    await writeFile(join(dir, 'broken.json'), JSON.stringify(profile));
    assert.throws(() => loadBoardProfile('broken', dir), (err: unknown) => {
      const message = (err as Error).message;
      return err instanceof BoardProfileError &&
        /connectors\[0\]\.pilot\.adc\.highChannel must be one of 0, 1, 2, 3 \(got 7\)/.test(message) &&
        /station\.rfid\.protocol must be one of "pn532-hsu", "uid-line" \(got "wiegand"\)/.test(message) &&
        /connectors\[0\]\.meter\.unitId is required/.test(message);
    });
  });

  it('a sim profile may not carry wiring', async () => {
    await writeFile(join(dir, 'simx.json'), JSON.stringify({ name: 'simx', description: 'x', driver: 'sim', connectors: [] }));
    assert.throws(() => loadBoardProfile('simx', dir), /unknown field "connectors"/);
  });

  describe('coil interlocks and the hardware watchdog (issue 8 item 4)', () => {
    it('direct-ref declares the RCD trip and the e-stop in series with the coils, and its watchdog device', () => {
      const profile = loadBoardProfile('direct-ref') as DirectBoardProfile;
      assert.deepEqual(profile.coilInterlocks, { residualCurrentTrip: true, emergencyStop: true });
      assert.deepEqual(profile.watchdog, { device: '/dev/watchdog' });
      assert.equal(coilInterlockWarning(profile), null);
    });

    it('a direct board that does not declare them gets a warning naming what is missing; other drivers none', () => {
      const direct = loadBoardProfile('direct-ref') as DirectBoardProfile;
      const { coilInterlocks: _, ...undeclared } = direct;
      assert.match(coilInterlockWarning(undeclared)!, /the RCD trip output and the emergency stop not declared wired in series with the contactor coils/);
      assert.match(coilInterlockWarning({ ...direct, coilInterlocks: { residualCurrentTrip: true, emergencyStop: false } })!, /: the emergency stop not declared/);
      assert.equal(coilInterlockWarning(loadBoardProfile('sim')), null);
      assert.equal(coilInterlockWarning(loadBoardProfile('coprocessor-ref')), null);
    });

    it('checks the fields', async () => {
      const direct = JSON.parse(readFileSync(join(BOARDS_DIR, 'direct-ref.json'), 'utf8'));
      await writeFile(join(dir, 'w.json'), JSON.stringify({ ...direct, name: 'w', watchdog: { device: 'watchdog' } }));
      await writeFile(join(dir, 'i.json'), JSON.stringify({ ...direct, name: 'i', coilInterlocks: { residualCurrentTrip: 'yes', emergencyStop: true } }));
      assert.throws(() => loadBoardProfile('w', dir), /watchdog\.device/);
      assert.throws(() => loadBoardProfile('i', dir), /coilInterlocks\.residualCurrentTrip/);
    });
  });
});
