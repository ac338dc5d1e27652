import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { AuthorizationCache } from '../../../app/ocpp/authorization/authorization-cache.js';
import { OcppAuthorizer } from '../../../app/ocpp/authorization/ocpp-authorizer.js';
import { AvailabilityService } from '../../../app/ocpp/availability/availability-service.js';
import { LocalList } from '../../../app/local-list/local-list.js';
import { BackendLink } from '../../../app/ocpp/backend-link.js';
import type { RegistrationStatus } from '../../../app/ocpp/boot/boot-service.js';
import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { MeterSampler } from '../../../app/ocpp/metering/meter-sampler.js';
import { OcppHandlerError } from '../../../app/ocpp/ocpp-types.js';
import { OcppTime } from '../../../app/ocpp/ocpp-time.js';
import { changeAvailability } from '../../../app/ocpp/operations/change-availability.js';
import { changeConfiguration } from '../../../app/ocpp/operations/change-configuration.js';
import { clearCache } from '../../../app/ocpp/operations/clear-cache.js';
import { dataTransfer } from '../../../app/ocpp/operations/data-transfer.js';
import { getConfiguration } from '../../../app/ocpp/operations/get-configuration.js';
import { INCOMING_OPERATIONS } from '../../../app/ocpp/operations/registry.js';
import { remoteStartTransaction } from '../../../app/ocpp/operations/remote-start-transaction.js';
import { remoteStopTransaction } from '../../../app/ocpp/operations/remote-stop-transaction.js';
import { reset } from '../../../app/ocpp/operations/reset.js';
import { unlockConnector } from '../../../app/ocpp/operations/unlock-connector.js';
import type { TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import type { OcppServices, ResetType } from '../../../app/ocpp/services.js';
import type { ChargingProfile } from '../../../app/ocpp/smart-charging/charging-profile.js';
import { TxProfiles } from '../../../app/ocpp/smart-charging/tx-profiles.js';
import type { TransactionService } from '../../../app/ocpp/transactions/transaction-service.js';
import { FakeCaller } from '../authorization/fake-caller.js';
import { FakeChargerPort, sessionRecord } from '../fake-charger-port.js';
import { FakeConnection, TestClock, configure, failure, logSink, storesFixture, until, testTransactionService } from './helpers.js';

/** OCPP 1.6 Central System → charge point, per feature profile (iec61851-reference.md §B2). */
const INCOMING_BY_PROFILE: Readonly<Record<string, readonly string[]>> = {
  Core: ['ChangeAvailability', 'ChangeConfiguration', 'ClearCache', 'DataTransfer', 'GetConfiguration', 'RemoteStartTransaction', 'RemoteStopTransaction', 'Reset', 'UnlockConnector'],
  LocalAuthListManagement: ['GetLocalListVersion', 'SendLocalList'],
};
const CHEAT_SHEET = fileURLToPath(new URL('../../../../../shared/specs/iec61851-reference.md', import.meta.url));

const txProfile: ChargingProfile = {
  chargingProfileId: 7,
  stackLevel: 0,
  chargingProfilePurpose: 'TxProfile',
  chargingProfileKind: 'Relative',
  chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
};

describe('ocpp/services/operations', () => {
  const fx = storesFixture();
  let clock: TestClock;
  let charger: FakeChargerPort;
  let configuration: ConfigurationStore;
  let queue: TransactionQueue;
  let connection: FakeConnection;
  let link: BackendLink;
  let sampler: MeterSampler;
  let transactions: TransactionService;
  let txProfiles: TxProfiles;
  let caller: FakeCaller;
  let cache: AuthorizationCache;
  let localList: LocalList;
  let services: OcppServices;
  let registration: RegistrationStatus;
  let tasks: Array<() => void | Promise<void>>;
  let resets: ResetType[];

  /** Runs what the handlers left for after their answer. */
  const afterAnswers = async () => {
    for (const task of tasks.splice(0)) await task();
  };
  const withServices = (patch: Partial<OcppServices>): OcppServices => ({ ...services, ...patch });

  beforeEach(async () => {
    clock = new TestClock();
    charger = new FakeChargerPort(2, clock);
    configuration = await fx.openConfiguration();
    queue = await fx.openQueue(clock, configuration);
    connection = new FakeConnection(clock);
    connection.respond = (action) => (action === 'StartTransaction' ? { transactionId: 77, idTagInfo: { status: 'Accepted' } } : {});
    link = new BackendLink(connection.asConnection);
    const time = new OcppTime(clock);
    sampler = new MeterSampler({ charger, configuration, clock, send: () => undefined, report: () => undefined });
    transactions = testTransactionService({ queue, link, charger, sampler, configuration, time, clock });
    await transactions.start();
    txProfiles = new TxProfiles(charger, clock, 230);
    caller = new FakeCaller();
    cache = await AuthorizationCache.open(fx.dir, { clock, report: () => undefined });
    localList = await LocalList.open(fx.dir, { clock, limits: () => ({ maxEntries: 10_000, maxChanges: 400 }), report: () => undefined });
    const authorizer = new OcppAuthorizer({ caller, cache, localList, configuration, clock });
    const availability = await AvailabilityService.open(fx.dir, charger, () => undefined);
    registration = 'Accepted';
    tasks = [];
    resets = [];
    services = {
      charger,
      configuration,
      authorizer,
      transactions,
      availability,
      txProfiles,
      localList,
      registration: () => registration,
      reset: (type) => void resets.push(type),
      afterAnswer: (task) => void tasks.push(task),
      log: logSink().log,
    };
  });

  afterEach(async () => {
    txProfiles.stop();
    sampler.stop();
    const stopping = transactions.stop();
    for (const call of connection.pending) call.reject(failure('offline'));
    await stopping;
    await queue.close();
  });

  describe('registry', () => {
    it('lists every backend-initiated action of the profiles in SupportedFeatureProfiles (§B2), each once', () => {
      const actions = INCOMING_OPERATIONS.map((op) => op.action);
      const expected = configuration.list('SupportedFeatureProfiles').flatMap((profile) => INCOMING_BY_PROFILE[profile] ?? [`(${profile}: no list here)`]);
      assert.deepEqual([...actions].sort(), expected.sort());
      assert.equal(new Set(actions).size, actions.length);
      for (const op of INCOMING_OPERATIONS) assert.equal(typeof op.handle, 'function', op.action);
    });

    it('matches the rows of the cheat sheet for the profiles supported', function () {
      if (!existsSync(CHEAT_SHEET)) this.skip();
      const lines = readFileSync(CHEAT_SHEET, 'utf8').split('\n');
      const incoming = configuration.list('SupportedFeatureProfiles').flatMap((profile) => {
        const row = lines.find((line) => line.startsWith(`| ${profile} |`));
        assert.ok(row, `the ${profile} row of §B2`);
        return row.split('|')[3]!.replace(/\([^)]*\)/g, '').split(',').map((s) => s.trim());
      });
      assert.deepEqual([...INCOMING_OPERATIONS.map((op) => op.action)].sort(), incoming.sort());
    });
  });

  describe('RemoteStartTransaction', () => {
    it('on a named connector: Accepted, then the charger is asked to authorize it (after the answer)', async () => {
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 2, idTag: 'APP1' }), { status: 'Accepted' });
      assert.deepEqual(charger.authorized, [], 'not before the answer');
      await afterAnswers();
      assert.deepEqual(charger.authorized, [{ connectorId: 2, idTag: 'APP1' }]);
    });

    it('without a connector: the one an EV is plugged into', async () => {
      charger.setQuietly(2, { plugged: true, status: 'Preparing' });
      assert.deepEqual(remoteStartTransaction.handle(services, { idTag: 'APP1' }), { status: 'Accepted' });
      await afterAnswers();
      assert.deepEqual(charger.authorized, [{ connectorId: 2, idTag: 'APP1' }]);
    });

    it('without a connector: the only free one', async () => {
      charger.setQuietly(1, { status: 'Unavailable' });
      assert.deepEqual(remoteStartTransaction.handle(services, { idTag: 'APP1' }), { status: 'Accepted' });
      await afterAnswers();
      assert.deepEqual(charger.authorized, [{ connectorId: 2, idTag: 'APP1' }]);
    });

    it('without a connector, when it cannot tell which: Rejected', async () => {
      assert.deepEqual(remoteStartTransaction.handle(services, { idTag: 'APP1' }), { status: 'Rejected' }, 'two free, none plugged');
      charger.setQuietly(1, { plugged: true, status: 'Preparing' });
      charger.setQuietly(2, { plugged: true, status: 'Preparing' });
      assert.deepEqual(remoteStartTransaction.handle(services, { idTag: 'APP1' }), { status: 'Rejected' }, 'two plugged');
      await afterAnswers();
      assert.deepEqual(charger.authorized, []);
    });

    it('Rejected: unknown connector, one in session, Unavailable or Faulted', () => {
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 3, idTag: 'APP1' }), { status: 'Rejected' });
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 0, idTag: 'APP1' }), { status: 'Rejected' });
      charger.setQuietly(1, { session: sessionRecord('s1', 1, clock.now(), 0), status: 'Charging' });
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'APP1' }), { status: 'Rejected' });
      charger.setQuietly(2, { status: 'Unavailable' });
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 2, idTag: 'APP1' }), { status: 'Rejected' });
      charger.setQuietly(2, { status: 'Faulted' });
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 2, idTag: 'APP1' }), { status: 'Rejected' });
      assert.equal(tasks.length, 0);
    });

    for (const status of ['Pending', 'Rejected', 'NotRegistered'] as const) {
      it(`Rejected while the registration is ${status} (§4.2)`, () => {
        registration = status;
        assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'APP1' }), { status: 'Rejected' });
        assert.equal(tasks.length, 0);
      });
    }

    it('a chargingProfile that is not a TxProfile, or has a transactionId: Rejected', () => {
      for (const purpose of ['TxDefaultProfile', 'ChargePointMaxProfile'] as const) {
        const chargingProfile = { ...txProfile, chargingProfilePurpose: purpose };
        assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'APP1', chargingProfile }), { status: 'Rejected' }, purpose);
      }
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'APP1', chargingProfile: { ...txProfile, transactionId: 5 } }), { status: 'Rejected' });
      assert.equal(tasks.length, 0);
    });

    it('with a TxProfile: the session it starts is limited by it', async () => {
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'APP1', chargingProfile: txProfile }), { status: 'Accepted' });
      await afterAnswers();
      charger.startSession(sessionRecord('s1', 1, clock.now(), 0, { idTag: 'APP1' }));
      assert.equal(charger.limitOf(1), 10);
    });

    it('the charger refusing the session: no profile kept for a later one', async () => {
      charger.authorizeResult = false;
      remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'APP1', chargingProfile: txProfile });
      await afterAnswers();
      charger.startSession(sessionRecord('s1', 1, clock.now(), 0));
      assert.equal(charger.limitOf(1), undefined);
    });

    it('with AuthorizeRemoteTxRequests: the idTag is authorized first, refused ones start nothing', async () => {
      await configure(configuration, { AuthorizeRemoteTxRequests: true });
      caller.answer('GOOD', { status: 'Accepted' });
      assert.deepEqual(remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'BAD' }), { status: 'Accepted' });
      await afterAnswers();
      assert.deepEqual(charger.authorized, []);
      assert.deepEqual(caller.authorized, ['BAD']);
      remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'GOOD' });
      await afterAnswers();
      assert.deepEqual(charger.authorized, [{ connectorId: 1, idTag: 'GOOD' }]);
    });

    it('without AuthorizeRemoteTxRequests: no Authorize.req', async () => {
      remoteStartTransaction.handle(services, { connectorId: 1, idTag: 'ANY' });
      await afterAnswers();
      assert.deepEqual(caller.authorized, []);
      assert.equal(charger.authorized.length, 1);
    });
  });

  describe('RemoteStopTransaction', () => {
    const runningWithTransactionId = async () => {
      connection.open();
      link.announceOnline();
      charger.startSession(sessionRecord('s1', 2, clock.now(), 0));
      await until(() => transactions.transactionIdOf('s1') === 77, 'StartTransaction.conf');
    };

    it('the transactionId of a running session: Accepted, stopped with reason Remote after the answer', async () => {
      await runningWithTransactionId();
      assert.deepEqual(remoteStopTransaction.handle(services, { transactionId: 77 }), { status: 'Accepted' });
      assert.deepEqual(charger.stops, []);
      await afterAnswers();
      assert.deepEqual(charger.stops, [{ connectorId: 2, reason: 'Remote', stoppedByIdTag: null }]);
    });

    it('an unknown transactionId: Rejected', async () => {
      await runningWithTransactionId();
      assert.deepEqual(remoteStopTransaction.handle(services, { transactionId: 78 }), { status: 'Rejected' });
      assert.equal(tasks.length, 0);
    });

    it('a session whose StartTransaction.conf has not come yet cannot be named: Rejected', () => {
      charger.startSession(sessionRecord('s1', 1, clock.now(), 0));
      assert.deepEqual(remoteStopTransaction.handle(services, { transactionId: -1 }), { status: 'Rejected' });
    });

    it('Rejected while Pending (§4.2)', async () => {
      await runningWithTransactionId();
      registration = 'Pending';
      assert.deepEqual(remoteStopTransaction.handle(services, { transactionId: 77 }), { status: 'Rejected' });
    });
  });

  describe('Reset', () => {
    for (const type of ['Soft', 'Hard'] as const) {
      it(`${type}: Accepted, and services.reset('${type}') only after the answer`, async () => {
        assert.deepEqual(reset.handle(services, { type }), { status: 'Accepted' });
        assert.deepEqual(resets, []);
        await afterAnswers();
        assert.deepEqual(resets, [type]);
      });
    }
  });

  describe('UnlockConnector', () => {
    it("answers with the charger's result", async () => {
      assert.deepEqual(await unlockConnector.handle(services, { connectorId: 1 }), { status: 'Unlocked' });
      charger.unlockResult = 'UnlockFailed';
      assert.deepEqual(await unlockConnector.handle(services, { connectorId: 2 }), { status: 'UnlockFailed' });
      charger.unlockResult = 'NotSupported';
      assert.deepEqual(await unlockConnector.handle(services, { connectorId: 2 }), { status: 'NotSupported' });
      assert.deepEqual(charger.unlocks, [1, 2, 2]);
    });

    it('a connector that does not exist: NotSupported, the charger not asked', async () => {
      assert.deepEqual(await unlockConnector.handle(services, { connectorId: 5 }), { status: 'NotSupported' });
      assert.deepEqual(charger.unlocks, []);
    });
  });

  describe('ChangeAvailability', () => {
    it('Accepted, Scheduled, Rejected', async () => {
      assert.deepEqual(await changeAvailability.handle(services, { connectorId: 1, type: 'Inoperative' }), { status: 'Accepted' });
      assert.equal(charger.operativeOf(1), false);
      charger.setQuietly(2, { session: sessionRecord('s2', 2, clock.now(), 0), status: 'Charging' });
      assert.deepEqual(await changeAvailability.handle(services, { connectorId: 2, type: 'Inoperative' }), { status: 'Scheduled' });
      assert.deepEqual(await changeAvailability.handle(services, { connectorId: 9, type: 'Inoperative' }), { status: 'Rejected' });
      assert.deepEqual(await changeAvailability.handle(services, { connectorId: 0, type: 'Inoperative' }), { status: 'Scheduled' });
    });
  });

  describe('ChangeConfiguration', () => {
    it('Accepted (stored), Rejected (bad value, read-only), NotSupported (unknown key)', async () => {
      assert.deepEqual(await changeConfiguration.handle(services, { key: 'MeterValueSampleInterval', value: '30' }), { status: 'Accepted' });
      assert.equal(configuration.get('MeterValueSampleInterval'), '30');
      assert.deepEqual(await changeConfiguration.handle(services, { key: 'MeterValueSampleInterval', value: 'often' }), { status: 'Rejected' });
      assert.deepEqual(await changeConfiguration.handle(services, { key: 'NumberOfConnectors', value: '3' }), { status: 'Rejected' });
      assert.deepEqual(await changeConfiguration.handle(services, { key: 'NoSuchKey', value: '1' }), { status: 'NotSupported' });
      assert.equal(configuration.get('MeterValueSampleInterval'), '30');
    });

    it('RebootRequired for a key read at start-up', async () => {
      assert.deepEqual(await changeConfiguration.handle(services, { key: 'ConnectorPhaseRotation', value: '1.RST,2.RST' }), { status: 'RebootRequired' });
    });
  });

  describe('GetConfiguration', () => {
    it('named keys, with the unknown ones listed', () => {
      const result = getConfiguration.handle(services, { key: ['HeartbeatInterval', 'Nope'] }) as { configurationKey: unknown[]; unknownKey?: string[] };
      assert.deepEqual(result, { configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '86400' }], unknownKey: ['Nope'] });
    });

    it('no key: every key', () => {
      const result = getConfiguration.handle(services, {}) as { configurationKey: Array<{ key: string }> };
      assert.ok(result.configurationKey.some((k) => k.key === 'NumberOfConnectors'));
      assert.ok(result.configurationKey.length > 30);
    });

    it('more keys than GetConfigurationMaxKeys: OcppHandlerError OccurenceConstraintViolation', () => {
      const max = configuration.integer('GetConfigurationMaxKeys');
      const keys = Array.from({ length: max + 1 }, (_, i) => `Key${i}`);
      assert.throws(
        () => getConfiguration.handle(services, { key: keys }),
        (error: unknown) => error instanceof OcppHandlerError && error.code === 'OccurenceConstraintViolation' && error.details['max'] === max,
      );
      assert.doesNotThrow(() => getConfiguration.handle(services, { key: keys.slice(1) }), 'exactly the maximum');
    });
  });

  describe('ClearCache', () => {
    it('empties the authorization cache: Accepted', async () => {
      await configure(configuration, { AuthorizationCacheEnabled: true });
      await services.authorizer!.learn('CARD1', { status: 'Accepted' });
      assert.equal(cache.size, 1);
      assert.deepEqual(await clearCache.handle(services, {}), { status: 'Accepted' });
      assert.equal(cache.size, 0);
    });

    it('free charging (no authorizer): Accepted', async () => {
      assert.deepEqual(await clearCache.handle(withServices({ authorizer: null }), {}), { status: 'Accepted' });
    });
  });

  describe('DataTransfer', () => {
    it('any vendorId: UnknownVendorId, no data', () => {
      assert.deepEqual(dataTransfer.handle(services, { vendorId: 'com.example', messageId: 'x', data: 'y' }), { status: 'UnknownVendorId' });
      assert.deepEqual(dataTransfer.handle(services, { vendorId: '' }), { status: 'UnknownVendorId' });
    });
  });
});
