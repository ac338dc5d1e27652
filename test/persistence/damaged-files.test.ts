// Every data file the firmware keeps as JSON, damaged as a disk damages files (truncated, zeroed,
// garbage, one flipped byte): moved aside whole and reported, never read as if it were fine.

import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AUTHORIZATION_CACHE_FILE, AuthorizationCache } from '../../app/ocpp/authorization/authorization-cache.js';
import { AVAILABILITY_FILE, AvailabilityService } from '../../app/ocpp/availability/availability-service.js';
import { CONFIGURATION_FILE, ConfigurationStore } from '../../app/ocpp/configuration/configuration-store.js';
import { sealJson } from '../../app/persistence/durable-json-file.js';
import { FAULT_LOG_FILE, FaultLogStore } from '../../app/persistence/fault-log-store.js';
import { SESSIONS_FILE, SessionStore } from '../../app/persistence/session-store.js';
import { SECURITY_EVENTS_FILE, SecurityEventLog } from '../../app/security/security-events.js';
import { VirtualClock } from '../../hal/clock.js';
import { FakeChargerPort, sessionRecord } from '../ocpp/fake-charger-port.js';

type Report = (problem: { kind: string; message: string; movedTo?: string | null }) => void;

interface DataFile {
  readonly name: string;
  /** Contents as the firmware writes them. */
  readonly data: unknown;
  readonly open: (dir: string, report: Report) => Promise<unknown>;
}

const AT = '2026-01-01T00:00:00.000Z';

const FILES: readonly DataFile[] = [
  {
    name: SESSIONS_FILE,
    data: { version: 1, sessions: [{ ...sessionRecord('1-1', 1, Date.parse(AT), 1000), stoppedAt: AT, meterStopWh: 4000, energyWh: 3000, stopReason: 'Local', delivery: 'queued' }] },
    open: (dir, report) => SessionStore.open(dir, { report }),
  },
  {
    name: FAULT_LOG_FILE,
    data: { version: 1, entries: [{ at: AT, connectorId: 1, fault: 'OverTemperature', event: 'raised', ocppErrorCode: 'HighTemperature', values: { temperatureC: 72 } }] },
    open: (dir, report) => FaultLogStore.open(dir, { report }),
  },
  {
    name: SECURITY_EVENTS_FILE,
    data: { version: 1, events: [{ at: AT, type: 'StorageCorruption', critical: true, techInfo: 'x' }] },
    open: (dir, report) => SecurityEventLog.open(dir, { report }),
  },
  {
    name: CONFIGURATION_FILE,
    data: { version: 1, values: { HeartbeatInterval: '600', MeterValueSampleInterval: '30' } },
    open: (dir, report) => ConfigurationStore.open(dir, { numberOfConnectors: 2, report }),
  },
  {
    name: AUTHORIZATION_CACHE_FILE,
    data: { version: 1, entries: [{ idTag: 'CARD1', info: { status: 'Accepted' } }] },
    open: (dir, report) => AuthorizationCache.open(dir, { clock: new VirtualClock(), report }),
  },
  {
    name: AVAILABILITY_FILE,
    data: { version: 1, inoperative: [2] },
    open: (dir, report) => AvailabilityService.open(dir, new FakeChargerPort(2), report),
  },
];

/** Each damage, from the good bytes; `i` picks where a flip lands. */
const DAMAGES: ReadonlyArray<readonly [string, (good: Buffer, i: number) => Buffer]> = [
  ['truncated', (good) => good.subarray(0, good.length >> 1)],
  ['zeroed', (good) => Buffer.alloc(good.length)],
  ['garbage', (good) => Buffer.from(good.map((_, i) => (i * 131 + 7) & 0xff))],
  [
    'one flipped byte',
    (good, i) => {
      const bad = Buffer.from(good);
      bad[i % good.length]! ^= 0x02;
      return bad;
    },
  ],
];

describe('persistence: every damaged data file is moved aside and reported', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'charger-damaged-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  });

  for (const file of FILES) {
    it(`${file.name}`, async () => {
      const good = Buffer.from(sealJson(file.data));
      const path = join(dir, file.name);
      await writeFile(path, good);
      const clean: string[] = [];
      await file.open(dir, (p) => void clean.push(p.message));
      assert.deepEqual(clean, [], 'the undamaged file opens without a report');

      // Flips at a spread of places (every 7th byte), the other damages once.
      const cases = DAMAGES.flatMap(([what, damage]) =>
        what === 'one flipped byte' ? Array.from({ length: Math.ceil(good.length / 7) }, (_, k) => [`${what} at ${k * 7}`, damage(good, k * 7)] as const) : [[what, damage(good, 0)] as const],
      );
      for (const [what, bad] of cases) {
        await writeFile(path, bad);
        const problems: Array<{ kind: string; message: string; movedTo?: string | null }> = [];
        await file.open(dir, (p) => void problems.push(p));
        const corrupt = problems.filter((p) => p.kind === 'corrupt');
        assert.equal(corrupt.length, 1, `${what}: reported once (${problems.map((p) => p.message).join(' | ')})`);
        const movedTo = corrupt[0]!.movedTo;
        assert.ok(movedTo, `${what}: moved aside`);
        assert.deepEqual(await readFile(movedTo), bad, `${what}: kept whole`);
        for (const name of await readdir(dir)) if (name.includes('.corrupt-')) await rm(join(dir, name));
      }
    });
  }
});
