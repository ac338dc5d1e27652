import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BOARDS_DIR } from '../../config/board-profile.js';
import { DEFAULT_CONFIG, DEFAULT_SAFETY } from '../../config/defaults.js';
import { ConfigError, loadConfigFile, locateJsonError, resolveConfig } from '../../config/load-config.js';

const EXAMPLE = join(BOARDS_DIR, '..', 'example.sim.json');

/** The ConfigError that resolveConfig throws for `raw`. */
function problemOf(raw: unknown): ConfigError {
  try {
    resolveConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(raw)} to be rejected`);
}

function firstLine(err: Error): string {
  return err.message.split('\n')[0]!;
}

const socket = (connectorId: number, extra: object = {}) => ({ connectorId, maxCurrentA: 32, phases: 3, kind: 'socket', ...extra });

describe('config/load-config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('valid configs', () => {
    it('loads the example config for the simulated board', () => {
      const config = loadConfigFile(EXAMPLE);
      assert.equal(config.board, 'sim');
      assert.equal(config.connectors.length, 2);
      assert.deepEqual(config.connectors[0], { connectorId: 1, maxCurrentA: 32, phases: 3, kind: 'socket' });
      assert.equal(config.connectors[1]!.kind, 'tethered');
      assert.equal(config.connectors[1]!.cableRatingA, 32);
      assert.ok(config.authorization.allowList.includes('04A1B2C3D4'));
      assert.equal(config.diagnostics.port, 8180);
      assert.deepEqual(config.safety, DEFAULT_SAFETY);
    });

    it('an empty config is the defaults', () => {
      assert.deepEqual(resolveConfig({}), DEFAULT_CONFIG);
    });

    it('defaults fill the gaps inside each section', () => {
      const config = resolveConfig({ site: { maxCurrentA: 16 }, safety: { pilotDebounceMs: 50 }, identity: { chargePointId: 'CP-7' } });
      assert.deepEqual(config.site, { ...DEFAULT_CONFIG.site, maxCurrentA: 16 });
      assert.deepEqual(config.safety, { ...DEFAULT_SAFETY, pilotDebounceMs: 50 });
      assert.deepEqual(config.identity, { ...DEFAULT_CONFIG.identity, chargePointId: 'CP-7' });
      assert.deepEqual(config.authorization, DEFAULT_CONFIG.authorization);
    });

    it('lists replace the default lists as a whole', () => {
      const config = resolveConfig({ connectors: [socket(1), socket(2, { phases: 1 })], authorization: { allowList: ['ABCD'] } });
      assert.equal(config.connectors.length, 2);
      assert.equal(config.connectors[1]!.phases, 1);
      assert.deepEqual(config.authorization.allowList, ['ABCD']);
    });

    it('returns a deeply frozen config and leaves the defaults alone', () => {
      const config = resolveConfig({ connectors: [socket(1)], safety: { disabledInterlocks: ['ContactorWelded'] } });
      for (const obj of [config, config.identity, config.connectors, config.connectors[0], config.site, config.safety, config.safety.disabledInterlocks]) {
        assert.ok(Object.isFrozen(obj));
      }
      assert.throws(() => {
        (config.site as { maxCurrentA: number }).maxCurrentA = 500;
      }, TypeError);
      assert.throws(() => (config.safety.disabledInterlocks as string[]).push('x'), TypeError);
      assert.ok(!Object.isFrozen(DEFAULT_CONFIG.safety));
      assert.deepEqual(DEFAULT_SAFETY.disabledInterlocks, []);
      assert.equal(resolveConfig({}).safety.disabledInterlocks.length, 0);
    });

    it('accepts the bounds themselves, port 0 and disabled interlocks on the sim board', () => {
      const config = resolveConfig({
        diagnostics: { port: 0, token: '0123456789abcdef' },
        safety: { pilotDebounceMs: 50, contactorCloseTimeoutMs: 3000, stateFDurationMs: 300, disabledInterlocks: ['MeterFailure', 'LockFailure'] },
        connectors: [socket(2), socket(1, { kind: 'tethered', cableRatingA: 13, maxCurrentA: 6 })],
      });
      assert.equal(config.diagnostics.port, 0);
      assert.deepEqual(config.safety.disabledInterlocks, ['MeterFailure', 'LockFailure']);
    });
  });

  describe('schema errors name the field and what is allowed', () => {
    it('enum', () => {
      const err = problemOf({ connectors: [socket(1, { phases: 2 })] });
      assert.equal(err.message, 'config: connectors[0].phases must be one of 1, 3 (got 2)');
      assert.equal(err.field, 'connectors[0].phases');
      assert.equal(firstLine(problemOf({ connectors: [socket(1, { kind: 'plug' })] })), 'config: connectors[0].kind must be one of "socket", "tethered" (got "plug")');
      assert.equal(
        firstLine(problemOf({ connectors: [socket(1, { kind: 'tethered', cableRatingA: 16 })] })),
        'config: connectors[0].cableRatingA must be one of 13, 20, 32, 63 (got 16)',
      );
      assert.equal(firstLine(problemOf({ authorization: { mode: 'open' } })), 'config: authorization.mode must be one of "free", "allowList" (got "open")');
      assert.match(firstLine(problemOf({ safety: { disabledInterlocks: ['Nope'] } })), /^config: safety\.disabledInterlocks\[0\] must be one of "ContactorWelded", .*"EmergencyStop".* \(got "Nope"\)$/);
    });

    it('range', () => {
      const err = problemOf({ safety: { temperatureStopC: 90 } });
      assert.equal(err.message, 'config: safety.temperatureStopC must be between 50 and 71 (got 90)');
      assert.equal(err.field, 'safety.temperatureStopC');
      assert.equal(firstLine(problemOf({ site: { nominalVoltageV: 400 } })), 'config: site.nominalVoltageV must be between 100 and 277 (got 400)');
      assert.equal(firstLine(problemOf({ connectors: [socket(1, { maxCurrentA: 5 })] })), 'config: connectors[0].maxCurrentA must be between 6 and 80 (got 5)');
      assert.equal(firstLine(problemOf({ diagnostics: { port: 70000 } })), 'config: diagnostics.port must be between 0 and 65535 (got 70000)');
    });

    const bounds: [string, number, number][] = [
      ['contactorFeedbackTimeoutMs', 100, 1000],
      ['contactorCloseTimeoutMs', 100, 3000],
      ['stateFDurationMs', 300, 5000],
      ['pilotDebounceMs', 10, 50],
      ['pwmMinUpdateIntervalMs', 5000, 60000],
      ['overcurrentToleranceRatio', 0, 0.2],
      ['overcurrentMarginA', 0, 5],
      ['overcurrentGraceMs', 1000, 10000],
      ['lockTimeoutMs', 200, 5000],
      ['mainsUnderVoltageRatio', 0.05, 0.1],
      ['mainsOverVoltageRatio', 0.05, 0.1],
      ['meterFailuresBeforeFault', 1, 10],
      ['repeatedFaultLimit', 1, 10],
      ['repeatedFaultWindowMs', 60000, 86400000],
      ['faultRetryDelayMs', 10000, 3600000],
    ];
    for (const [key, min, max] of bounds) {
      it(`safety.${key} is bounded to ${min}..${max}`, () => {
        assert.equal(resolveConfig({ safety: { [key]: min } }).safety[key as 'lockTimeoutMs'], min);
        assert.equal(resolveConfig({ safety: { [key]: max } }).safety[key as 'lockTimeoutMs'], max);
        const below = min === 0 ? -0.01 : min - 1;
        assert.equal(problemOf({ safety: { [key]: below } }).message, `config: safety.${key} must be between ${min} and ${max} (got ${below})`);
        assert.equal(problemOf({ safety: { [key]: max + 1 } }).message, `config: safety.${key} must be between ${min} and ${max} (got ${max + 1})`);
      });
    }

    it('temperatures never above the reference figures', () => {
      const limits: [string, number][] = [['temperatureDerateHalfC', 65], ['temperatureDerateQuarterC', 68], ['temperatureStopC', 71], ['temperatureRestoreC', 62]];
      for (const [key, max] of limits) {
        assert.match(problemOf({ safety: { [key]: max + 0.5 } }).message, new RegExp(`^config: safety\\.${key} must be between \\d+ and ${max} \\(got ${max + 0.5}\\)`));
      }
      const lowest = resolveConfig({ safety: { temperatureRestoreC: 30, temperatureDerateHalfC: 40, temperatureDerateQuarterC: 45, temperatureStopC: 50 } });
      assert.equal(lowest.safety.temperatureStopC, 50);
    });

    it('type', () => {
      assert.equal(
        problemOf({ safety: { contactorFeedbackTimeoutMs: 500.5 } }).message,
        'config: safety.contactorFeedbackTimeoutMs must be an integer between 100 and 1000 (got 500.5)',
      );
      assert.match(problemOf({ safety: { lockTimeoutMs: '1000' } }).message, /^config: safety\.lockTimeoutMs must be an integer between 200 and 5000 \(got "1000"\)$/);
      assert.equal(problemOf({ site: { ventilationAvailable: 'yes' } }).message, 'config: site.ventilationAvailable must be true or false (got "yes")');
      assert.equal(problemOf({ site: 5 }).message, 'config: site must be an object (got 5)');
      assert.equal(problemOf({ connectors: {} }).message, 'config: connectors must be a list (got an object)');
      assert.equal(problemOf({ connectors: [socket(1, { phases: '3' })] }).message, 'config: connectors[0].phases must be one of 1, 3 (got "3")');
      assert.equal(problemOf({ diagnostics: { host: null } }).message, 'config: diagnostics.host must be a string (got null)');
    });

    it('unknown fields, with the allowed ones', () => {
      const err = problemOf({ site: { foo: 1 } });
      assert.equal(err.message, 'config: unknown field "foo" in site; allowed: maxCurrentA, ventilationAvailable, nominalVoltageV');
      assert.equal(err.field, 'site.foo');
      assert.equal(
        problemOf({ maxCurrent: 16 }).message,
        'config: unknown field "maxCurrent" at the top level; allowed: identity, board, connectors, site, authorization, metering, diagnostics, safety, ocpp',
      );
      assert.equal(
        problemOf({ connectors: [socket(1, { rating: 32 })] }).message,
        'config: unknown field "rating" in connectors[0]; allowed: connectorId, maxCurrentA, phases, kind, cableRatingA',
      );
      assert.match(problemOf({ safety: { temperatureStpC: 60 } }).message, /^config: unknown field "temperatureStpC" in safety; allowed: contactorFeedbackTimeoutMs, .*disabledInterlocks$/);
    });

    it('a "__proto__" key is an unknown field, not a prototype', () => {
      const err = problemOf(JSON.parse('{"site": {"__proto__": {"maxCurrentA": 500}}}'));
      assert.match(err.message, /^config: unknown field "__proto__" in site/);
      assert.equal(({} as Record<string, unknown>)['maxCurrentA'], undefined);
    });

    it('required connector fields', () => {
      const err = problemOf({ connectors: [{ connectorId: 1, maxCurrentA: 16, kind: 'socket' }] });
      assert.equal(err.message, 'config: connectors[0].phases is required (one of 1, 3)');
      assert.equal(err.field, 'connectors[0].phases');
    });

    it('list sizes, patterns and lengths', () => {
      assert.equal(problemOf({ connectors: [] }).message, 'config: connectors must have 1 to 8 entries (got 0)');
      const nine = Array.from({ length: 9 }, (_, i) => socket(i + 1));
      assert.equal(firstLine(problemOf({ connectors: nine })), 'config: connectors must have 1 to 8 entries (got 9)');
      assert.equal(
        problemOf({ authorization: { allowList: ['04a1b2c3'] } }).message,
        'config: authorization.allowList[0] must be upper-case hex, 4 to 20 digits (e.g. "04A1B2C3D4") (got "04a1b2c3")',
      );
      assert.equal(problemOf({ authorization: { allowList: ['ABCD', 'ABCD'] } }).message, 'config: authorization.allowList lists "ABCD" more than once; each entry must be unique');
      assert.equal(problemOf({ identity: { chargePointId: 'CP 1' } }).message, 'config: identity.chargePointId must be printable ASCII without spaces or "/" (got "CP 1")');
      assert.match(problemOf({ identity: { chargePointId: 'a/b' } }).message, /identity\.chargePointId must be printable ASCII without spaces or "\/"/);
      assert.equal(problemOf({ identity: { chargePointId: 'C'.repeat(49) } }).field, 'identity.chargePointId');
      assert.equal(problemOf({ identity: { vendor: '' } }).message, 'config: identity.vendor must be 1 to 20 characters long (got 0)');
      assert.equal(problemOf({ diagnostics: { token: 'short' } }).message, 'config: diagnostics.token must be 16 to 256 characters long (got 5)');
      assert.equal(problemOf({ metering: { pollIntervalMs: 100 } }).message, 'config: metering.pollIntervalMs must be between 200 and 2000 (got 100)');
      assert.equal(problemOf({ authorization: { cardDebounceMs: -1 } }).message, 'config: authorization.cardDebounceMs must be between 0 and 10000 (got -1)');
    });

    it('collects every problem, one per line, the safety ones first', () => {
      const err = problemOf({ site: { foo: 1, maxCurrentA: 1000 }, identity: { vendor: '' }, safety: { pilotDebounceMs: 200 } });
      const lines = err.message.split('\n');
      assert.equal(lines.length, 4);
      assert.equal(lines[0], 'config: safety.pilotDebounceMs must be between 10 and 50 (got 200)');
      assert.equal(err.field, 'safety.pilotDebounceMs');
      assert.ok(lines.every((l) => l.startsWith('config: ')));
      assert.equal(err.problems.length, 4);
      assert.deepEqual(new Set(err.problems.map((p) => p.field)), new Set(['safety.pilotDebounceMs', 'site.foo', 'site.maxCurrentA', 'identity.vendor']));
    });

    it('the OCPP section: the CSMS URL, the free-charging idTag, the pacing and timeout bounds, known fields only', () => {
      assert.match(firstLine(problemOf({ ocpp: { csmsUrl: 'http://csms.example.com/ocpp' } })), /^config: ocpp\.csmsUrl must be a ws:\/\/ or wss:\/\/ URL/);
      assert.match(firstLine(problemOf({ ocpp: { csmsUrl: 'ws://csms.example.com/ocpp?x=1' } })), /ocpp\.csmsUrl must be a ws:\/\/ or wss:\/\/ URL/);
      assert.match(firstLine(problemOf({ ocpp: { freeChargingIdTag: 'FREE CHARGING' } })), /ocpp\.freeChargingIdTag must be 1 to 20 printable characters/);
      assert.match(firstLine(problemOf({ ocpp: { queueDrainPerSecond: -1 } })), /ocpp\.queueDrainPerSecond/);
      assert.match(firstLine(problemOf({ ocpp: { callTimeoutS: 1 } })), /ocpp\.callTimeoutS/);
      assert.match(firstLine(problemOf({ ocpp: { configuration: { HeartbeatInterval: 300 } } })), /ocpp\.configuration\.HeartbeatInterval must be a string/);
      assert.match(firstLine(problemOf({ ocpp: { tls: { ca: 'x' } } })), /unknown field "ca" in ocpp\.tls; allowed: caFile, certFile, keyFile/);
      const ok = resolveConfig({ ocpp: { csmsUrl: 'wss://csms.example.com:443/ocpp/v16', configuration: { SecurityProfile: '2' }, tls: { caFile: 'ca.pem' } } });
      assert.equal(ok.ocpp.csmsUrl, 'wss://csms.example.com:443/ocpp/v16');
      assert.equal(ok.ocpp.freeChargingIdTag, 'FREECHARGING', 'defaults fill the rest');
    });

    it('a client certificate and its key go together', () => {
      const err = problemOf({ ocpp: { tls: { certFile: 'cp.pem' } } });
      assert.equal(err.field, 'ocpp.tls.keyFile');
      assert.match(err.message, /ocpp\.tls\.keyFile is required with ocpp\.tls\.certFile/);
      assert.equal(problemOf({ ocpp: { tls: { keyFile: 'cp.key' } } }).field, 'ocpp.tls.certFile');
    });

    it('a config that is not an object', () => {
      assert.equal(problemOf([]).message, 'config: the config must be a JSON object (got a list)');
      assert.equal(problemOf(null).message, 'config: the config must be a JSON object (got null)');
      assert.equal(problemOf(42).field, '');
    });
  });

  describe('rules across fields', () => {
    it('connector ids are unique', () => {
      const err = problemOf({ connectors: [socket(1), socket(1)] });
      assert.equal(err.message, 'config: connectors[1].connectorId 1 is already used by connectors[0]; ids must be unique');
      assert.equal(err.field, 'connectors[1].connectorId');
    });

    it('connector ids are exactly 1..N', () => {
      assert.equal(
        problemOf({ connectors: [socket(1), socket(3)] }).message,
        'config: connectors[1].connectorId must be between 1 and 2: with 2 connector(s) the ids must be exactly 1..2 (got 3)',
      );
      assert.equal(problemOf({ connectors: [socket(2)] }).field, 'connectors[0].connectorId');
    });

    it('a tethered connector needs its cable rating, a socket must not set one', () => {
      assert.equal(
        problemOf({ connectors: [socket(1, { kind: 'tethered' })] }).message,
        'config: connectors[0].cableRatingA is required for a tethered connector (one of 13, 20, 32, 63)',
      );
      const err = problemOf({ connectors: [socket(1, { cableRatingA: 32 })] });
      assert.match(err.message, /^config: connectors\[0\]\.cableRatingA must not be set for a socket .*\(got 32\)$/);
      assert.equal(err.field, 'connectors[0].cableRatingA');
    });

    it('temperature steps are strictly ordered', () => {
      const err = problemOf({ safety: { temperatureDerateQuarterC: 65 } });
      assert.equal(err.field, 'safety.temperatureDerateQuarterC');
      assert.match(err.message, /^config: safety\.temperatureDerateQuarterC must be above safety\.temperatureDerateHalfC \(got 65 ≤ 65\); the temperature steps must be ordered temperatureRestoreC < temperatureDerateHalfC < temperatureDerateQuarterC < temperatureStopC$/);
      assert.equal(problemOf({ safety: { temperatureDerateHalfC: 60, temperatureRestoreC: 60 } }).field, 'safety.temperatureDerateHalfC');
      assert.equal(problemOf({ safety: { temperatureStopC: 68 } }).field, 'safety.temperatureStopC');
    });

    it('disabled interlocks only when every safety device is simulated; the board must exist', () => {
      const err = problemOf({ board: 'acme-v2', safety: { disabledInterlocks: ['ContactorWelded'] } });
      const lines = err.message.split('\n');
      assert.equal(lines[0], 'config: safety.disabledInterlocks is allowed only when every safety device is simulated (board driver "sim"); the drivers of board "acme-v2" are unknown');
      assert.equal(lines[1], 'config: board must name a profile in config/boards/; available: coprocessor-ref, direct-ref, sim (got "acme-v2")');
      assert.equal(problemOf({ board: 'acme-v2' }).message, 'config: board must name a profile in config/boards/; available: coprocessor-ref, direct-ref, sim (got "acme-v2")');
      assert.match(problemOf({ board: '../etc/passwd' }).message, /^config: board must be a board profile name/);
    });

    it('disabled interlocks are decided by the drivers the profile loads, not by its name', async () => {
      // A profile called "sim" that drives the real direct-wired hardware.
      const boards = join(dir, 'boards-named-sim');
      await mkdir(boards, { recursive: true });
      const direct = JSON.parse(await readFile(join(BOARDS_DIR, 'direct-ref.json'), 'utf8'));
      await writeFile(join(boards, 'sim.json'), JSON.stringify({ ...direct, name: 'sim' }));
      const raw = { board: 'sim', safety: { disabledInterlocks: ['OverTemperature'] } };
      assert.throws(() => resolveConfig(raw, 'config', boards), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.field, 'safety.disabledInterlocks');
        assert.equal(
          firstLine(err),
          'config: safety.disabledInterlocks is allowed only when every safety device is simulated (board driver "sim"); ' +
            'board "sim" loads real drivers (driver "direct": contactor, control pilot, residual current monitor, emergency stop, earth monitor, temperature sensors, lock)',
        );
        return true;
      });
      // From a file, as the firmware starts.
      const file = join(dir, 'named-sim.json');
      await writeFile(file, JSON.stringify(raw));
      assert.throws(() => loadConfigFile(file, boards), /safety\.disabledInterlocks is allowed only when every safety device is simulated/);
      // The same profile without disabled interlocks is a valid board; the real simulated board allows them.
      assert.equal(resolveConfig({ board: 'sim' }, 'config', boards).board, 'sim');
      assert.deepEqual(resolveConfig(raw).safety.disabledInterlocks, ['OverTemperature']);
    });

    it('a profile that does not load is named with the board', async () => {
      const boards = join(dir, 'boards-broken');
      await mkdir(boards, { recursive: true });
      await writeFile(join(boards, 'sim.json'), JSON.stringify({ name: 'sim', description: 'x', driver: 'gpio' }));
      const err = (() => {
        try {
          resolveConfig({ board: 'sim' }, 'config', boards);
        } catch (e) {
          return e as ConfigError;
        }
        return assert.fail('expected a ConfigError');
      })();
      assert.equal(err.field, 'board');
      assert.match(firstLine(err), /^config: board "sim": .*sim\.json: driver must be one of "sim", "direct", "coprocessor" \(got "gpio"\)$/);
    });

    it('runs next to the schema checks, without piling up on a field the schema rejected', () => {
      const err = problemOf({ site: { foo: 1 }, connectors: [socket(1, { kind: 'tethered' })], safety: { temperatureStopC: 40 } });
      assert.deepEqual(err.problems.map((p) => p.field), ['safety.temperatureStopC', 'connectors[0].cableRatingA', 'site.foo']);
    });
  });

  describe('files', () => {
    it('bad JSON names the file and the position', async () => {
      const file = join(dir, 'bad.json');
      await writeFile(file, '{\n  "site": {\n    "maxCurrentA": 16,\n  }\n}\n');
      assert.throws(() => loadConfigFile(file), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.source, file);
        assert.equal(err.message, `${file}: invalid JSON at line 4, column 3 (position 39): expected a double-quoted field name, found "}"`);
        return true;
      });
    });

    it('truncated JSON', async () => {
      const file = join(dir, 'truncated.json');
      await writeFile(file, '{ "site": { "maxCurrentA": 16 ');
      assert.throws(() => loadConfigFile(file), /truncated\.json: invalid JSON at line 1, column 31 \(position 30\): unexpected end of input/);
    });

    it('a missing file is named', () => {
      const file = join(dir, 'nope.json');
      assert.throws(() => loadConfigFile(file), (err: unknown) => err instanceof ConfigError && err.message === `${file}: cannot read the config file (no such file)`);
    });

    it('an unreadable path (a directory) is named', () => {
      assert.throws(() => loadConfigFile(dir), (err: unknown) => err instanceof ConfigError && err.message.startsWith(`${dir}: cannot read the config file (`));
    });

    it('schema problems in a file carry the file name', async () => {
      const file = join(dir, 'range.json');
      await writeFile(file, JSON.stringify({ safety: { temperatureStopC: 90 } }));
      assert.throws(() => loadConfigFile(file), { message: `${file}: safety.temperatureStopC must be between 50 and 71 (got 90)` });
    });

    it('a UTF-8 byte order mark is accepted', async () => {
      const file = join(dir, 'bom.json');
      await writeFile(file, '\ufeff{ "site": { "maxCurrentA": 20 } }');
      assert.equal(loadConfigFile(file).site.maxCurrentA, 20);
    });
  });

  describe('locateJsonError', () => {
    it('finds the first syntax error, or none', () => {
      assert.equal(locateJsonError('{"a": [1, 2.5e3, "x\\n", true, false, null, {}]}'), null);
      assert.deepEqual(locateJsonError('{"a": }'), { offset: 6, reason: 'expected a value, found "}"' });
      assert.deepEqual(locateJsonError('{"a": tru}'), { offset: 9, reason: 'expected "true", found "}"' });
      assert.deepEqual(locateJsonError('[1 2]'), { offset: 3, reason: 'expected \',\' or \']\', found "2"' });
      assert.deepEqual(locateJsonError('{} x'), { offset: 3, reason: 'unexpected text after the end of the JSON value, found "x"' });
      assert.deepEqual(locateJsonError(''), { offset: 0, reason: 'unexpected end of input' });
      assert.equal(locateJsonError('-')?.offset, 0);
      assert.equal(locateJsonError('01')?.offset, 1);
    });
  });
});

describe('config schemas', () => {
  // The loaders compile them without meta-validation (it costs start-up time): it is done here.
  it('the config file schema and the board profile schema are valid draft-07 JSON Schemas', async () => {
    const { Ajv } = await import('ajv');
    const { CONFIG_SCHEMA } = await import('../../config/schema.js');
    const { BOARD_PROFILE_SCHEMA } = await import('../../config/board-profile-schema.js');
    const ajv = new Ajv();
    for (const [name, schema] of [['config', CONFIG_SCHEMA], ['board profile', BOARD_PROFILE_SCHEMA]] as const) {
      assert.equal(ajv.validateSchema(schema as object), true, `${name}: ${ajv.errorsText(ajv.errors)}`);
    }
    assert.equal(ajv.validateSchema({ type: 'object', properties: { a: { minimum: 'x' } } }), false, 'the check can fail');
  });
});
