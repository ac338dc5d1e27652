import { strict as assert } from 'node:assert';
import { startDiagnosticsServer, type DiagnosticsServer } from '../../app/diagnostics/server.js';
import { SIM_FAULT_NAMES } from '../../hal/sim/simulation-control.js';
import { FAULT_LOG, FakeCharger, FakeSimulation, SESSION, chargerStatus } from './fakes.js';

const TOKEN = 'test-token-0123456789';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

describe('diagnostics server', () => {
  let charger: FakeCharger;
  let sim: FakeSimulation;
  let server: DiagnosticsServer;

  async function call(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; token?: string | null; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? TOKEN : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  }

  function assertError(answer: Answer, status: number, error: string, ...messageParts: (string | RegExp)[]): void {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.headers.get('content-type')?.split(';')[0], 'application/json');
    assert.deepEqual(Object.keys(answer.body).sort(), ['error', 'message']);
    assert.equal(answer.body.error, error);
    for (const part of messageParts) {
      if (typeof part === 'string') assert.ok(answer.body.message.includes(part), `"${answer.body.message}" should mention "${part}"`);
      else assert.match(answer.body.message, part);
    }
  }

  beforeEach(async () => {
    sim = new FakeSimulation();
    charger = new FakeCharger(sim);
    server = await startDiagnosticsServer({ api: charger, simulation: charger.simulation, host: '127.0.0.1', port: 0, token: TOKEN });
  });
  afterEach(async () => {
    await server.close();
  });

  it('reports where it listens', () => {
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  });

  it('refuses to start without a token', async () => {
    await assert.rejects(startDiagnosticsServer({ api: charger, simulation: charger.simulation, host: '127.0.0.1', port: 0, token: ' ' }), /token/);
  });

  describe('authentication', () => {
    it('answers 401 with WWW-Authenticate when the token is missing, and runs no handler', async () => {
      const answer = await call('GET', '/api/v1/status', { token: null });
      assert.equal(answer.status, 401);
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
      assert.deepEqual(answer.body, { error: 'unauthorized', message: 'send Authorization: Bearer <token>' });
      assert.deepEqual(charger.calls, []);
    });

    it('answers 401 to a wrong token, and runs no handler', async () => {
      for (const token of ['wrong', `${TOKEN}x`, TOKEN.slice(0, -1), TOKEN.toUpperCase()]) {
        assertError(await call('GET', '/api/v1/status', { token }), 401, 'unauthorized');
        assertError(await call('POST', '/api/v1/faults/reset', { token, body: {} }), 401, 'unauthorized');
        assertError(await call('POST', '/api/v1/sim/connectors/1/plug', { token, body: { cableRatingA: 32 } }), 401, 'unauthorized');
        assertError(await call('POST', '/api/v1/sim/faults', { token, body: { connectorId: null, fault: 'emergencyStop' } }), 401, 'unauthorized');
      }
      assert.deepEqual(charger.calls, []);
      assert.deepEqual(sim.calls, []);
    });

    it('answers 401 to another scheme', async () => {
      const answer = await call('GET', '/api/v1/status', { token: null, headers: { authorization: `Basic ${TOKEN}` } });
      assertError(answer, 401, 'unauthorized');
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
    });

    it('answers 401 before 404 or 400, so nothing leaks without the token', async () => {
      assertError(await call('GET', '/api/v1/nothing-here', { token: null }), 401, 'unauthorized');
      assertError(await call('POST', '/api/v1/sim/faults', { token: 'bad', raw: '{not json' }), 401, 'unauthorized');
    });

    it('accepts the scheme in any case', async () => {
      const answer = await call('GET', '/api/v1/status', { token: null, headers: { authorization: `bearer ${TOKEN}` } });
      assert.equal(answer.status, 200);
    });
  });

  describe('status routes', () => {
    it('GET /api/v1/status returns the charger status', async () => {
      const answer = await call('GET', '/api/v1/status');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, chargerStatus());
    });

    it('GET /api/v1/connectors/:id returns one connector, 404 if absent, 400 if not a number', async () => {
      const answer = await call('GET', '/api/v1/connectors/2');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, chargerStatus().connectors[1]);
      assertError(await call('GET', '/api/v1/connectors/3'), 404, 'not-found', 'no connector 3', '1, 2');
      assertError(await call('GET', '/api/v1/connectors/abc'), 400, 'bad-request', 'abc');
    });

    it('GET /api/v1/faults returns the log, or its newest N', async () => {
      assert.deepEqual((await call('GET', '/api/v1/faults')).body, { entries: FAULT_LOG });
      assert.deepEqual((await call('GET', '/api/v1/faults?limit=2')).body, { entries: FAULT_LOG.slice(-2) });
      assert.deepEqual((await call('GET', '/api/v1/faults?limit=2000')).body, { entries: FAULT_LOG });
      for (const bad of ['0', '2001', 'abc', '-1', '1.5', '']) {
        assertError(await call('GET', `/api/v1/faults?limit=${bad}`), 400, 'bad-request', 'limit', '1 to 2000');
      }
    });

    it('GET /api/v1/sessions returns the sessions', async () => {
      const answer = await call('GET', '/api/v1/sessions');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { sessions: [SESSION] });
    });

    it('POST /api/v1/faults/reset resets all connectors or one', async () => {
      assert.deepEqual((await call('POST', '/api/v1/faults/reset')).body, { cleared: [{ connectorId: 2, fault: 'OverCurrent' }] });
      assert.deepEqual((await call('POST', '/api/v1/faults/reset', { body: {} })).body, { cleared: [{ connectorId: 2, fault: 'OverCurrent' }] });
      assert.deepEqual((await call('POST', '/api/v1/faults/reset', { body: { connectorId: null } })).body.cleared.length, 1);
      assert.deepEqual((await call('POST', '/api/v1/faults/reset', { body: { connectorId: 1 } })).body, { cleared: [] });
      assert.deepEqual(
        charger.calls.filter((c) => c.method === 'resetFaults').map((c) => c.args),
        [[null], [null], [null], [1]],
      );
    });

    it('POST /api/v1/faults/reset rejects a bad connector', async () => {
      assertError(await call('POST', '/api/v1/faults/reset', { body: { connectorId: 9 } }), 404, 'not-found', 'no connector 9');
      assertError(await call('POST', '/api/v1/faults/reset', { body: { connectorId: '2' } }), 400, 'invalid-body', 'body.connectorId', 'integer or null');
      assertError(await call('POST', '/api/v1/faults/reset', { body: { connectorId: 1.5 } }), 400, 'invalid-body', 'body.connectorId');
      assertError(await call('POST', '/api/v1/faults/reset', { body: { connector: 1 } }), 400, 'invalid-body', '"connector"');
      assert.deepEqual(charger.mutations(), []);
    });
  });

  describe('simulation routes', () => {
    const snapshot = () => new FakeSimulation().snapshot();

    it('GET /api/v1/sim returns the snapshot', async () => {
      const answer = await call('GET', '/api/v1/sim');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, snapshot());
    });

    it('plug, unplug, ev, pause, resume reach SimulationControl and answer the new snapshot', async () => {
      const answers = [
        await call('POST', '/api/v1/sim/connectors/1/plug', { body: { cableRatingA: 20, ev: { socPercent: 20, phases: 3, hasDiode: false } } }),
        await call('POST', '/api/v1/sim/connectors/2/plug'),
        await call('POST', '/api/v1/sim/connectors/2/plug', { body: { cableOhms: 2000 } }),
        await call('POST', '/api/v1/sim/connectors/2/unplug'),
        await call('PATCH', '/api/v1/sim/connectors/1/ev', { body: { targetSocPercent: 90, ignorePwm: true, followDelayMs: 0 } }),
        await call('POST', '/api/v1/sim/connectors/1/pause'),
        await call('POST', '/api/v1/sim/connectors/1/resume'),
      ];
      for (const answer of answers) {
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.deepEqual(answer.body, snapshot());
      }
      assert.deepEqual(sim.calls, [
        { method: 'plug', args: [1, { cableRatingA: 20, ev: { socPercent: 20, phases: 3, hasDiode: false } }] },
        { method: 'plug', args: [2, {}] },
        { method: 'plug', args: [2, { cableOhms: 2000 }] },
        { method: 'unplug', args: [2] },
        { method: 'setEv', args: [1, { targetSocPercent: 90, ignorePwm: true, followDelayMs: 0 }] },
        { method: 'pauseEv', args: [1] },
        { method: 'resumeEv', args: [1] },
      ]);
    });

    it('rfid, faults, mains reach SimulationControl', async () => {
      const answers = [
        await call('POST', '/api/v1/sim/rfid', { body: { uid: 'deadbeef' } }),
        await call('POST', '/api/v1/sim/faults', { body: { connectorId: 1, fault: 'overTemperature', params: { temperatureC: 80, location: 'socket' } } }),
        await call('POST', '/api/v1/sim/faults', { body: { connectorId: null, fault: 'emergencyStop' } }),
        await call('DELETE', '/api/v1/sim/faults', { body: { connectorId: null, fault: 'emergencyStop' } }),
        await call('POST', '/api/v1/sim/faults/clear', { body: { connectorId: 1, fault: 'overTemperature' } }),
        await call('PUT', '/api/v1/sim/mains', { body: { voltages: [230, 231.5, 0] } }),
        await call('POST', '/api/v1/sim/faults', { body: { connectorId: 1, fault: 'evOverdraw', params: { overdrawA: 10, overdrawPhase: 2 } } }),
        await call('PATCH', '/api/v1/sim/connectors/1/ev', { body: { overdrawA: 3, overdrawPhase: 'all' } }),
      ];
      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(sim.calls, [
        { method: 'presentCard', args: ['DEADBEEF'] },
        { method: 'injectFault', args: [1, 'overTemperature', { temperatureC: 80, location: 'socket' }] },
        { method: 'injectFault', args: [null, 'emergencyStop', undefined] },
        { method: 'clearFault', args: [null, 'emergencyStop'] },
        { method: 'clearFault', args: [1, 'overTemperature'] },
        { method: 'setMainsVoltage', args: [[230, 231.5, 0]] },
        { method: 'injectFault', args: [1, 'evOverdraw', { overdrawA: 10, overdrawPhase: 2 }] },
        { method: 'setEv', args: [1, { overdrawA: 3, overdrawPhase: 'all' }] },
      ]);
    });

    it('accepts every simulated fault name', async () => {
      for (const fault of SIM_FAULT_NAMES) {
        assert.equal((await call('POST', '/api/v1/sim/faults', { body: { connectorId: 1, fault } })).status, 200, fault);
      }
      assert.equal(sim.calls.length, SIM_FAULT_NAMES.length);
    });

    it('answers 400 naming the field and what it allows', async () => {
      const cases: [string, string, unknown, ...string[]][] = [
        ['POST', '/api/v1/sim/faults', { connectorId: 1, fault: 'fire' }, 'body.fault', 'must be one of', '"overTemperature"', '"cpGlitch"'],
        ['POST', '/api/v1/sim/faults', { fault: 'peLoss' }, 'body.connectorId is required'],
        ['POST', '/api/v1/sim/faults', { connectorId: 'one', fault: 'peLoss' }, 'body.connectorId', 'integer or null'],
        ['POST', '/api/v1/sim/faults', { connectorId: 1, fault: 'cpGlitch', params: { durationMs: 'long' } }, 'body.params.durationMs', 'integer'],
        ['POST', '/api/v1/sim/faults', { connectorId: 1, fault: 'overTemperature', params: { location: 'roof' } }, 'body.params.location', '"socket", "enclosure"'],
        ['POST', '/api/v1/sim/faults', { connectorId: 1, fault: 'peLoss', extra: true }, 'unknown field "extra"'],
        ['POST', '/api/v1/sim/faults', [1, 2], 'body must be a JSON object'],
        ['DELETE', '/api/v1/sim/faults', { connectorId: 1 }, 'body.fault is required'],
        ['POST', '/api/v1/sim/faults/clear', { connectorId: 1, fault: 'nope' }, 'body.fault', 'must be one of'],
        ['POST', '/api/v1/sim/connectors/1/plug', { cableRatingA: 16 }, 'body.cableRatingA', '13, 20, 32, 63'],
        ['POST', '/api/v1/sim/connectors/1/plug', { cableRatingA: '32' }, 'body.cableRatingA', '13, 20, 32, 63'],
        ['POST', '/api/v1/sim/connectors/1/plug', { ev: { socPercent: 120 } }, 'body.ev.socPercent', '<= 100'],
        ['POST', '/api/v1/sim/connectors/1/plug', { cableOhms: 0 }, 'body.cableOhms', '> 0'],
        ['POST', '/api/v1/sim/connectors/1/plug', { ev: { phases: 2 } }, 'body.ev.phases', '1, 3'],
        ['POST', '/api/v1/sim/connectors/1/plug', { ev: { hasDiode: 'no' } }, 'body.ev.hasDiode', 'boolean'],
        ['POST', '/api/v1/sim/connectors/1/plug', { ev: { wings: 2 } }, 'body.ev', '"wings"'],
        ['PATCH', '/api/v1/sim/connectors/1/ev', {}, 'body', 'at least 1'],
        ['PATCH', '/api/v1/sim/connectors/1/ev', { maxCurrentA: -1 }, 'body.maxCurrentA', '>= 0'],
        ['PATCH', '/api/v1/sim/connectors/1/ev', { overdrawPhase: 4 }, 'body.overdrawPhase', 'must be one of'],
        ['POST', '/api/v1/sim/faults', { connectorId: 1, fault: 'evOverdraw', params: { overdrawPhase: 'L2' } }, 'body.params.overdrawPhase', 'must be one of'],
        ['PATCH', '/api/v1/sim/connectors/1/ev', { socPercent: '50' }, 'body.socPercent', 'number'],
        ['POST', '/api/v1/sim/rfid', { uid: 'xyz!' }, 'body.uid', 'hex'],
        ['POST', '/api/v1/sim/rfid', { uid: 'abc' }, 'body.uid', '4 to 20 hex digits'],
        ['POST', '/api/v1/sim/rfid', {}, 'body.uid is required'],
        ['PUT', '/api/v1/sim/mains', { voltages: [230, 230] }, 'body.voltages', 'at least 3'],
        ['PUT', '/api/v1/sim/mains', { voltages: [230, 230, 230, 230] }, 'body.voltages', 'at most 3'],
        ['PUT', '/api/v1/sim/mains', { voltages: [230, 'x', 230] }, 'body.voltages[1]', 'number'],
      ];
      for (const [method, path, body, ...parts] of cases) {
        assertError(await call(method, path, { body }), 400, 'invalid-body', ...parts);
      }
      assert.deepEqual(sim.calls, [], 'no invalid body reached SimulationControl');
    });

    it('answers 400 when a required body is missing', async () => {
      assertError(await call('POST', '/api/v1/sim/faults'), 400, 'invalid-body', 'body');
      assertError(await call('PUT', '/api/v1/sim/mains'), 400, 'invalid-body', 'body');
    });

    it('answers 404 for an unknown connector', async () => {
      assertError(await call('POST', '/api/v1/sim/connectors/7/plug'), 404, 'not-found', 'no connector 7');
      assertError(await call('PATCH', '/api/v1/sim/connectors/7/ev', { body: { socPercent: 5 } }), 404, 'not-found');
      assertError(await call('POST', '/api/v1/sim/faults', { body: { connectorId: 7, fault: 'peLoss' } }), 404, 'not-found', 'no connector 7');
      assertError(await call('POST', '/api/v1/sim/connectors/x/unplug'), 400, 'bad-request', '"x"');
      assert.deepEqual(sim.calls, []);
    });

    it('answers 400 with the message when SimulationControl refuses', async () => {
      sim.failWith = new Error('emergencyStop is a station-wide fault: use connectorId null');
      const answer = await call('POST', '/api/v1/sim/faults', { body: { connectorId: 1, fault: 'emergencyStop' } });
      assertError(answer, 400, 'rejected', 'emergencyStop is a station-wide fault: use connectorId null');
      sim.failWith = new Error('connector 1 is already plugged');
      assertError(await call('POST', '/api/v1/sim/connectors/1/plug'), 400, 'rejected', 'already plugged');
      assert.equal((await call('GET', '/api/v1/status')).status, 200, 'the server goes on');
    });

    it('answers 409 on a real board, whatever the body', async () => {
      await server.close();
      charger = new FakeCharger(null);
      server = await startDiagnosticsServer({ api: charger, simulation: charger.simulation, host: '127.0.0.1', port: 0, token: TOKEN });
      const requests: [string, string, unknown?][] = [
        ['GET', '/api/v1/sim'],
        ['POST', '/api/v1/sim/connectors/1/plug', { cableRatingA: 32 }],
        ['POST', '/api/v1/sim/connectors/1/plug', { cableRatingA: 'bad' }],
        ['POST', '/api/v1/sim/connectors/1/unplug'],
        ['PATCH', '/api/v1/sim/connectors/1/ev', { socPercent: 10 }],
        ['POST', '/api/v1/sim/connectors/1/pause'],
        ['POST', '/api/v1/sim/connectors/1/resume'],
        ['POST', '/api/v1/sim/rfid', { uid: 'ABCD' }],
        ['POST', '/api/v1/sim/faults', { connectorId: null, fault: 'peLoss' }],
        ['DELETE', '/api/v1/sim/faults', { connectorId: null, fault: 'peLoss' }],
        ['POST', '/api/v1/sim/faults/clear', { connectorId: null, fault: 'peLoss' }],
        ['PUT', '/api/v1/sim/mains', { voltages: [1, 2, 3] }],
      ];
      // Bodies the parser would refuse: the board is checked before any body is read.
      const raw: [string, string, string, string][] = [
        ['POST', '/api/v1/sim/faults', '{"connectorId": 1, "fault": ', 'application/json'],
        ['PUT', '/api/v1/sim/mains', "{'voltages': [1, 2, 3]}", 'application/json'],
        ['POST', '/api/v1/sim/rfid', JSON.stringify({ uid: 'x'.repeat(70 * 1024) }), 'application/json'],
        ['POST', '/api/v1/sim/rfid', 'uid=ABCD', 'application/x-www-form-urlencoded'],
      ];
      const answers = [
        ...requests.map(([method, path, body]) => ({ what: `${method} ${path}`, send: () => call(method, path, body === undefined ? {} : { body }) })),
        ...raw.map(([method, path, text, contentType]) => ({ what: `${method} ${path} ${text.slice(0, 30)}`, send: () => call(method, path, { raw: text, contentType }) })),
      ];
      for (const { what, send } of answers) {
        const answer = await send();
        assert.equal(answer.status, 409, what);
        assert.deepEqual(answer.body, {
          error: 'not-simulated',
          message: 'this board is real hardware; simulation control exists only on the sim board',
        });
      }
      assertError(await call('POST', '/api/v1/sim/faults', { token: 'bad', raw: '{not json' }), 401, 'unauthorized');
      assert.equal((await call('GET', '/api/v1/status')).status, 200);
    });
  });

  describe('bad input', () => {
    it('answers 400 naming the problem for malformed JSON', async () => {
      const answer = await call('POST', '/api/v1/sim/faults', { raw: '{"connectorId": 1, "fault": ' });
      assertError(answer, 400, 'invalid-json', /^malformed JSON body: .+/);
      assertError(await call('POST', '/api/v1/faults/reset', { raw: "{'connectorId': 1}" }), 400, 'invalid-json', 'malformed JSON body');
      assertError(await call('POST', '/api/v1/sim/faults', { raw: '{"__proto__": {"x": 1}}' }), 400, 'invalid-json', '__proto__');
      assert.deepEqual(charger.mutations(), []);
    });

    it('answers 413 to a body over 64 KiB', async () => {
      const raw = JSON.stringify({ connectorId: 1, fault: 'peLoss', pad: 'x'.repeat(70 * 1024) });
      assertError(await call('POST', '/api/v1/sim/faults', { raw }), 413, 'payload-too-large', '65536');
      assert.deepEqual(sim.calls, []);
    });

    it('answers 415 to a body that is not JSON', async () => {
      assertError(await call('POST', '/api/v1/sim/rfid', { raw: 'uid=ABCD', contentType: 'application/x-www-form-urlencoded' }), 415, 'unsupported-media-type', 'application/json');
    });

    it('accepts an empty JSON body where the body is optional', async () => {
      const answer = await call('POST', '/api/v1/sim/connectors/1/unplug', { raw: '' , contentType: 'application/json' });
      assert.equal(answer.status, 200);
    });

    it('answers 404 in JSON to an unknown route or method', async () => {
      assertError(await call('GET', '/api/v1/nothing'), 404, 'not-found', 'GET /api/v1/nothing');
      assertError(await call('GET', '/'), 404, 'not-found');
      assertError(await call('DELETE', '/api/v1/status'), 404, 'not-found');
      assertError(await call('GET', '/api/v1/sim/nothing'), 404, 'not-found');
    });

    it('answers 500 in JSON when the charger throws, and goes on', async () => {
      charger.status = () => {
        throw new Error('boom');
      };
      assertError(await call('GET', '/api/v1/status'), 500, 'internal');
      assert.equal((await call('GET', '/api/v1/sessions')).status, 200);
    });
  });
});
