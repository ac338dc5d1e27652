import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { BOARDS_DIR, BoardProfileError, listBoardProfiles, loadBoardProfile } from '../../config/board-profile.js';

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
    await writeFile(join(dir, 'd.json'), JSON.stringify({ name: 'd', description: 'ok', driver: 'sim' }));
    await writeFile(join(dir, 'README.md'), 'not a profile');
    assert.deepEqual(listBoardProfiles(dir), ['a', 'b', 'c', 'd']);
    assert.throws(() => loadBoardProfile('a', dir), /"driver" must be one of "sim" \(got "gpio"\)/);
    assert.throws(() => loadBoardProfile('b', dir), /"name" must be "b" \(got "other"\)/);
    assert.throws(() => loadBoardProfile('c', dir), BoardProfileError);
    assert.equal(loadBoardProfile('d', dir).description, 'ok');
    assert.deepEqual(listBoardProfiles(join(dir, 'missing')), []);
  });
});
