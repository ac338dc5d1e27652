import { strict as assert } from 'node:assert';

import { BackendLink } from '../../../app/ocpp/backend-link.js';
import { BOOT_RETRY_DEFAULT_S, BootService } from '../../../app/ocpp/boot/boot-service.js';
import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { OcppCallError } from '../../../app/ocpp/ocpp-types.js';
import { OcppTime } from '../../../app/ocpp/ocpp-time.js';
import type { BootNotificationConf } from '../../../app/ocpp/messages/boot-notification.js';
import { FakeConnection, TestClock, failure, logSink, settle, storesFixture, until } from './helpers.js';

const S = 1000;
const HOUR = 3_600_000;

describe('ocpp/services/boot-service', () => {
  const fx = storesFixture();
  let clock: TestClock;
  let connection: FakeConnection;
  let link: BackendLink;
  let configuration: ConfigurationStore;
  let time: OcppTime;
  let boot: BootService;
  /** What the backend answers to each BootNotification, in turn (the last one repeats). */
  let bootAnswers: Array<BootNotificationConf | Error>;
  /** The backend's clock runs this far ahead of ours. */
  const backendAhead = HOUR;
  let bootSent: number;

  const backendNow = () => new Date(clock.now() + backendAhead).toISOString();
  const answer = (status: BootNotificationConf['status'], interval: number): BootNotificationConf => ({ status, interval, currentTime: backendNow() });

  beforeEach(async () => {
    clock = new TestClock();
    connection = new FakeConnection(clock);
    link = new BackendLink(connection.asConnection);
    configuration = await fx.openConfiguration();
    time = new OcppTime(clock);
    bootAnswers = [];
    bootSent = 0;
    connection.respond = (action) => {
      if (action === 'BootNotification') {
        const next = bootAnswers.length > 1 ? bootAnswers.shift()! : bootAnswers[0];
        if (!next) return undefined;
        if (next instanceof Error) throw next;
        return { ...next, currentTime: backendNow() };
      }
      if (action === 'Heartbeat') return { currentTime: backendNow() };
      return {};
    };
    boot = new BootService({
      connection: connection.asConnection,
      link,
      configuration,
      time,
      clock,
      request: { chargePointVendor: 'OpenCharger', chargePointModel: 'Sim-AC22' },
      log: logSink().log,
      onBootSent: () => void bootSent++,
    });
  });

  afterEach(() => boot.stop());

  it('Accepted: HeartbeatInterval from interval, link online, heartbeats every interval and their time adopted', async () => {
    bootAnswers = [answer('Accepted', 300)];
    boot.start();
    assert.equal(connection.sent().length, 0, 'nothing before a connection');
    connection.open();
    await until(() => link.online, 'link online');
    assert.equal(boot.registration, 'Accepted');
    assert.equal(bootSent, 1);
    assert.deepEqual(connection.sent('BootNotification')[0]!.payload, { chargePointVendor: 'OpenCharger', chargePointModel: 'Sim-AC22' });
    assert.equal(configuration.get('HeartbeatInterval'), '300');
    assert.equal(time.offset, backendAhead, 'BootNotification currentTime adopted');

    await clock.advance(299 * S);
    assert.equal(connection.sent('Heartbeat').length, 0);
    await clock.advance(1 * S);
    assert.equal(connection.sent('Heartbeat').length, 1);
    assert.deepEqual(connection.sent('Heartbeat')[0]!.payload, {});
    await clock.advance(300 * S);
    assert.equal(connection.sent('Heartbeat').length, 2);
    assert.equal(connection.sent('BootNotification').length, 1, 'no second BootNotification');
  });

  it('adopts the currentTime of each Heartbeat.conf', async () => {
    bootAnswers = [answer('Accepted', 60)];
    boot.start();
    connection.open();
    await until(() => link.online, 'link online');
    connection.respond = (action) => (action === 'Heartbeat' ? { currentTime: new Date(clock.now() - 5 * S).toISOString() } : {});
    await clock.advance(60 * S);
    assert.equal(connection.sent('Heartbeat').length, 1);
    await settle();
    assert.equal(time.offset, -5 * S, 'the backend is now 5 s behind us');
    assert.equal(time.clock.now(), clock.now() - 5 * S);
  });

  it('Pending: nothing else goes out, BootNotification again after interval, then Accepted', async () => {
    bootAnswers = [answer('Pending', 60), answer('Accepted', 600)];
    boot.start();
    connection.open();
    await until(() => boot.registration === 'Pending', 'Pending');
    assert.equal(link.online, false);
    await assert.rejects(link.call('StatusNotification', {}), (e: OcppCallError) => e.kind === 'offline');
    await clock.advance(59 * S);
    assert.deepEqual(connection.sent().map((c) => c.action), ['BootNotification'], 'no heartbeat, no other request while Pending');
    await clock.advance(1 * S);
    await until(() => link.online, 'accepted on the second try');
    assert.equal(connection.sent('BootNotification').length, 2);
    assert.equal(connection.sent('BootNotification')[1]!.at - connection.sent('BootNotification')[0]!.at, 60 * S);
    assert.equal(configuration.get('HeartbeatInterval'), '600');
  });

  it('Pending: a reconnect does not ask before the interval', async () => {
    bootAnswers = [answer('Pending', 60)];
    boot.start();
    connection.open();
    await until(() => boot.registration === 'Pending', 'Pending');
    await clock.advance(10 * S);
    connection.close();
    connection.open();
    await clock.advance(49 * S);
    assert.equal(connection.sent('BootNotification').length, 1);
    await clock.advance(1 * S);
    assert.equal(connection.sent('BootNotification').length, 2);
  });

  it('Rejected: silent until interval has passed, even across a reconnect', async () => {
    bootAnswers = [answer('Rejected', 120), answer('Accepted', 300)];
    boot.start();
    connection.open();
    await until(() => boot.registration === 'Rejected', 'Rejected');
    assert.equal(link.online, false);
    await clock.advance(30 * S);
    connection.close();
    connection.open();
    await clock.advance(89 * S);
    assert.deepEqual(connection.sent().map((c) => c.action), ['BootNotification'], 'nothing at all while Rejected');
    await clock.advance(1 * S);
    await until(() => link.online, 'accepted after the interval');
    assert.equal(connection.sent('BootNotification').length, 2);
  });

  it('Rejected: disconnected when the interval ends, it asks again on the next connection', async () => {
    bootAnswers = [answer('Rejected', 120), answer('Accepted', 300)];
    boot.start();
    connection.open();
    await until(() => boot.registration === 'Rejected', 'Rejected');
    connection.close();
    await clock.advance(200 * S);
    assert.equal(connection.sent('BootNotification').length, 1);
    connection.open();
    await until(() => link.online, 'accepted on reconnect');
    assert.equal(connection.sent('BootNotification').length, 2);
  });

  it(`interval 0 while Pending: asks again after its own ${BOOT_RETRY_DEFAULT_S} s`, async () => {
    bootAnswers = [answer('Pending', 0), answer('Accepted', 300)];
    boot.start();
    connection.open();
    await until(() => boot.registration === 'Pending', 'Pending');
    assert.ok(clock.hasTimeoutAt(clock.now() + BOOT_RETRY_DEFAULT_S * S), 'retry scheduled at the default');
    await clock.advance(BOOT_RETRY_DEFAULT_S * S - 1);
    assert.equal(connection.sent('BootNotification').length, 1);
    await clock.advance(1);
    await until(() => link.online, 'accepted');
    assert.equal(connection.sent('BootNotification').length, 2);
  });

  it('interval 0 with Accepted: HeartbeatInterval is kept', async () => {
    await configuration.change('HeartbeatInterval', '120');
    bootAnswers = [answer('Accepted', 0)];
    boot.start();
    connection.open();
    await until(() => link.online, 'link online');
    assert.equal(configuration.get('HeartbeatInterval'), '120');
    await clock.advance(120 * S);
    assert.equal(connection.sent('Heartbeat').length, 1);
  });

  for (const kind of ['timeout', 'call-error', 'invalid-response'] as const) {
    it(`a BootNotification that fails (${kind}) is asked again after ${BOOT_RETRY_DEFAULT_S} s, offline meanwhile`, async () => {
      bootAnswers = [failure(kind, 'BootNotification'), answer('Accepted', 300)];
      boot.start();
      connection.open();
      await until(() => clock.hasTimeoutAt(clock.now() + BOOT_RETRY_DEFAULT_S * S), 'retry scheduled');
      assert.equal(boot.registration, 'NotRegistered');
      assert.equal(link.online, false);
      await clock.advance(BOOT_RETRY_DEFAULT_S * S);
      await until(() => link.online, 'accepted on the retry');
      assert.equal(connection.sent('BootNotification').length, 2);
    });
  }

  it('a BootNotification cut off by the connection is sent again when it comes back', async () => {
    boot.start();
    connection.open();
    const first = await connection.nthCall(1);
    connection.close();
    first.reject(failure('offline', 'BootNotification'));
    await settle();
    bootAnswers = [answer('Accepted', 300)];
    connection.open();
    await until(() => link.online, 'accepted');
    assert.equal(connection.sent('BootNotification').length, 2);
  });

  it('reconnect after acceptance: no second BootNotification, link online again, heartbeats resume', async () => {
    bootAnswers = [answer('Accepted', 100)];
    const events: string[] = [];
    link.onOnline(() => events.push('online'));
    link.onOffline(() => events.push('offline'));
    boot.start();
    connection.open();
    await until(() => link.online, 'link online');
    connection.close();
    assert.equal(link.online, false);
    await clock.advance(500 * S);
    assert.equal(connection.sent('Heartbeat').length, 0, 'no heartbeat while disconnected');
    connection.open();
    assert.equal(link.online, true);
    assert.deepEqual(events, ['online', 'offline', 'online']);
    await clock.advance(100 * S);
    assert.equal(connection.sent('Heartbeat').length, 1);
    assert.equal(connection.sent('BootNotification').length, 1);
  });

  it('HeartbeatInterval changed live: heartbeats follow the new interval at once', async () => {
    bootAnswers = [answer('Accepted', 300)];
    boot.start();
    connection.open();
    await until(() => link.online, 'link online');
    await clock.advance(100 * S);
    assert.equal(await configuration.change('HeartbeatInterval', '30'), 'Accepted');
    await clock.advance(30 * S);
    assert.equal(connection.sent('Heartbeat').length, 1);
    await clock.advance(60 * S);
    assert.equal(connection.sent('Heartbeat').length, 3);
    assert.deepEqual(
      connection.sent('Heartbeat').map((c) => c.at - connection.sent('Heartbeat')[0]!.at),
      [0, 30 * S, 60 * S],
    );
  });

  it('a connection already open at start() is used at once', async () => {
    bootAnswers = [answer('Accepted', 300)];
    connection.open();
    boot.start();
    await until(() => link.online, 'link online');
    assert.equal(connection.sent('BootNotification').length, 1);
  });

  it('stop(): no more heartbeats or retries', async () => {
    bootAnswers = [answer('Pending', 60)];
    boot.start();
    connection.open();
    await until(() => boot.registration === 'Pending', 'Pending');
    boot.stop();
    await clock.advance(600 * S);
    assert.equal(connection.sent().length, 1);
  });
});
