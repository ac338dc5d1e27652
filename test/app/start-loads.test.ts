// What a start loads before its BootNotification: the validators compiled at build time
// (tools/build/compile-schemas.ts), never a JSON-schema compiler or the schema declarations.
// Timing is `make bench`'s (boot_to_bootnotification_ms); this checks what is loaded.

import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadCompiled } from '../../config/compiled-schemas.js';

const DIST = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../config/example.sim.json', import.meta.url));

/** The CommonJS modules a fresh process has loaded after the config, the board profile and one BootNotification's checks. */
async function loadedForBoot(): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    const dist = ${JSON.stringify(DIST)};
    const { loadConfigFile } = await import(dist + 'config/load-config.js');
    const { loadBoardProfile } = await import(dist + 'config/board-profile.js');
    loadBoardProfile(loadConfigFile(${JSON.stringify(EXAMPLE)}).board);
    await import(dist + 'app/ocpp/connection/rpc-client.js');
    const { ocpp16Validator } = await import(dist + 'app/ocpp/connection/ocpp16-validator.js');
    ocpp16Validator.validate('urn:BootNotification.req', { chargePointVendor: 'V', chargePointModel: 'M' });
    ocpp16Validator.validate('urn:BootNotification.conf', { status: 'Accepted', currentTime: '2026-01-01T00:00:00Z', interval: 300 });
    process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as string[];
}

describe('a start loads compiled validators', () => {
  it('no Ajv compiler, no ocpp-rpc validator module, no TypeBox before the BootNotification', async () => {
    const loaded = await loadedForBoot();
    assert.ok(loaded.some((path) => /ocpp-rpc[\\/]lib[\\/]client\.js$/.test(path)), 'the check reads the module list (ocpp-rpc client loaded)');
    const compilers = loaded.filter((path) =>
      /[\\/]ajv[\\/]dist[\\/](ajv|core|compile[\\/]index)\.js$/.test(path) ||
      /ocpp-rpc[\\/]lib[\\/]validator\.js$/.test(path) ||
      /@sinclair[\\/]typebox/.test(path));
    assert.deepEqual(compilers, []);
  });

  it('a build without its compiled validators (tsc alone) is named in one line, with how to build', () => {
    assert.throws(() => loadCompiled('./compiled/no-such-schema.cjs', import.meta.url), (err: Error) => {
      assert.equal(err.name, 'BuildIncompleteError');
      assert.match(err.message, /compiled[\\/]no-such-schema\.cjs is missing: build with make build/);
      assert.equal(err.message.includes('\n'), false);
      return true;
    });
  });
});
