import { strict as assert } from 'node:assert';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { BackendLink } from '../../../app/ocpp/backend-link.js';
import type { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { TRANSACTION_ID_UNKNOWN, type QueuedMessage, type TransactionMessage, type TransactionQueue } from '../../../app/ocpp/queue/transaction-queue.js';
import { MAX_ANSWER_WAIT_FACTOR, TransactionSender } from '../../../app/ocpp/transactions/transaction-sender.js';
import { FakeConnection, TestClock, configure, failure, logSink, settle, storesFixture, until } from './helpers.js';

const S = 1000;

const start = (id: string, connectorId = 1): TransactionMessage => ({
  action: 'StartTransaction',
  connectorId,
  localTransactionId: id,
  payload: { connectorId, idTag: 'TAG1', meterStart: 1000, timestamp: '2026-01-01T00:00:00.000Z' },
});
const meter = (id: string, n: number): TransactionMessage => ({
  action: 'MeterValues',
  connectorId: 1,
  localTransactionId: id,
  payload: { connectorId: 1, transactionId: TRANSACTION_ID_UNKNOWN, meterValue: [{ timestamp: '2026-01-01T00:01:00.000Z', sampledValue: [{ value: String(n) }] }] },
});
const stop = (id: string): TransactionMessage => ({
  action: 'StopTransaction',
  connectorId: 1,
  localTransactionId: id,
  payload: { transactionId: TRANSACTION_ID_UNKNOWN, meterStop: 2000, timestamp: '2026-01-01T01:00:00.000Z', reason: 'Local' },
});

describe('ocpp/services/transaction-sender', () => {
  const fx = storesFixture();
  let clock: TestClock;
  let connection: FakeConnection;
  let link: BackendLink;
  let configuration: ConfigurationStore;
  let queue: TransactionQueue;
  let sender: TransactionSender | null;
  let delivered: Array<{ message: QueuedMessage; result: unknown }>;

  const makeSender = (drainPerSecond = 0): TransactionSender => {
    sender = new TransactionSender({
      queue,
      link,
      clock,
      drainPerSecond,
      onDelivered: (message, result) => void delivered.push({ message, result }),
      log: logSink().log,
    });
    return sender;
  };
  const online = () => {
    connection.open();
    link.announceOnline();
  };

  beforeEach(async () => {
    clock = new TestClock();
    connection = new FakeConnection(clock);
    link = new BackendLink(connection.asConnection);
    configuration = await fx.openConfiguration();
    queue = await fx.openQueue(clock, configuration);
    delivered = [];
    sender = null;
  });

  afterEach(async () => {
    // stop() lets a call in flight finish: end those the test left open.
    const stopping = sender?.stop();
    for (const call of connection.pending) call.reject(failure('offline'));
    await stopping;
    await queue.close();
  });

  it('sends in order, one at a time, each after the previous answer; fills in the transactionId', async () => {
    await queue.enqueue(start('s1'));
    await queue.enqueue(meter('s1', 1));
    await queue.enqueue(stop('s1'));
    online();
    makeSender().start();
    const first = await connection.nthCall(1);
    assert.equal(first.action, 'StartTransaction');
    await settle();
    assert.equal(connection.calls.length, 1, 'the next waits for the answer');
    first.resolve({ transactionId: 42, idTagInfo: { status: 'Accepted' } });
    const second = await connection.nthCall(2);
    assert.equal(second.action, 'MeterValues');
    assert.equal((second.payload as { transactionId: number }).transactionId, 42);
    await settle();
    assert.equal(connection.calls.length, 2);
    second.resolve({});
    const third = await connection.nthCall(3);
    assert.equal(third.action, 'StopTransaction');
    assert.equal((third.payload as { transactionId: number }).transactionId, 42);
    third.resolve({});
    await until(() => delivered.length === 3, 'all three answered');
    assert.deepEqual(delivered.map((d) => d.message.action), ['StartTransaction', 'MeterValues', 'StopTransaction']);
    assert.deepEqual(delivered[0]!.result, { transactionId: 42, idTagInfo: { status: 'Accepted' } });
    assert.equal(sender!.deliveredCount, 3);
  });

  it('waits while offline and delivers once online', async () => {
    makeSender().start();
    await queue.enqueue(start('s1'));
    await clock.advance(60 * S);
    assert.equal(connection.calls.length, 0);
    connection.respond = () => ({ transactionId: 1, idTagInfo: { status: 'Accepted' } });
    online();
    await until(() => delivered.length === 1, 'delivered');
    assert.equal(queue.size, 0);
  });

  it('a message queued while idle goes out at once', async () => {
    online();
    connection.respond = () => ({});
    makeSender().start();
    await settle();
    await queue.enqueue(meter('s1', 1));
    await until(() => delivered.length === 1, 'delivered');
  });

  it('CALLERRORs count as attempts, spaced interval × attempts, discarded after TransactionMessageAttempts', async () => {
    await configure(configuration, { TransactionMessageAttempts: 3, TransactionMessageRetryInterval: 60 });
    await queue.enqueue(meter('s1', 1));
    await queue.enqueue(meter('s1', 2));
    online();
    makeSender().start();

    const first = await connection.nthCall(1);
    const t1 = clock.now();
    first.reject(failure('call-error', 'MeterValues'));
    await until(() => clock.hasTimeoutAt(t1 + 60 * S), 'retry in 60 s');
    assert.equal(queue.peek()!.attempts, 1);
    await clock.advance(60 * S - 1);
    assert.equal(connection.calls.length, 1, 'not before 60 s');
    await clock.advance(1);
    const second = await connection.nthCall(2);
    assert.equal(second.at - t1, 60 * S);
    assert.equal((second.payload as { meterValue: Array<{ sampledValue: Array<{ value: string }> }> }).meterValue[0]!.sampledValue[0]!.value, '1', 'the same message');

    const t2 = clock.now();
    second.reject(failure('call-error', 'MeterValues'));
    await until(() => clock.hasTimeoutAt(t2 + 120 * S), 'retry in 120 s');
    assert.equal(queue.peek()!.attempts, 2);
    await clock.advance(120 * S - 1);
    assert.equal(connection.calls.length, 2, 'not before 120 s');
    await clock.advance(1);
    const third = await connection.nthCall(3);
    assert.equal(third.at - t2, 120 * S);

    third.reject(failure('call-error', 'MeterValues'));
    const fourth = await connection.nthCall(4);
    assert.equal((fourth.payload as { meterValue: Array<{ sampledValue: Array<{ value: string }> }> }).meterValue[0]!.sampledValue[0]!.value, '2', 'the first was discarded, the next is up');
    assert.equal(fourth.at, third.at, 'the next goes at once');
    assert.deepEqual(fx.queueProblems.map((p) => p.kind), ['discarded']);
    assert.equal(delivered.length, 0);
  });

  it("'offline' failures are not attempts: retried after a pause, never discarded", async () => {
    await configure(configuration, { TransactionMessageAttempts: 1 });
    await queue.enqueue(meter('s1', 1));
    online();
    makeSender().start();
    for (let n = 1; n <= 3; n++) {
      const call = await connection.nthCall(n);
      call.reject(failure('offline', 'MeterValues'));
      await until(() => clock.timeoutsDue.length > 0, 'paused');
      assert.equal(queue.peek()!.attempts, 0);
      await clock.advance(1 * S);
    }
    const fourth = await connection.nthCall(4);
    fourth.resolve({});
    await until(() => delivered.length === 1, 'delivered');
    assert.deepEqual(fx.queueProblems, []);
  });

  it('a timeout on a silently dead link (no pong): not an attempt, never discarded, delivered after the reconnect', async () => {
    await configure(configuration, { TransactionMessageAttempts: 1, TransactionMessageRetryInterval: 1 });
    await queue.enqueue(meter('s1', 1));
    await queue.enqueue(meter('s1', 2));
    online();
    const logs = logSink();
    sender = new TransactionSender({ queue, link, clock, drainPerSecond: 0, onDelivered: (message, result) => void delivered.push({ message, result }), log: logs.log });
    sender.start();
    connection.answersPings = false; // black-holed: neither answers nor pongs come back
    (await connection.nthCall(1)).reject(failure('timeout', 'MeterValues'));
    await until(() => !connection.connected, 'the link replaced for want of a pong');
    assert.equal(connection.probes, 1);
    await clock.advance(60 * S);
    assert.equal(connection.calls.length, 1, 'nothing sent while offline');
    assert.equal(queue.size, 2);
    assert.equal(queue.peek()!.attempts, 0);
    connection.answersPings = true;
    connection.respond = () => ({});
    online();
    await until(() => delivered.length === 2, 'both delivered after the reconnect');
    assert.deepEqual(delivered.map((d) => (d.message.payload as { meterValue: Array<{ sampledValue: Array<{ value: string }> }> }).meterValue[0]!.sampledValue[0]!.value), ['1', '2']);
    assert.deepEqual(fx.queueProblems, [], 'nothing discarded');
    assert.match(logs.lines.map((l) => l.message).join('\n'), /unanswered and the link is dead/);
  });

  it('a backend that always answers just after the timeout: each message delivered twice (the second with longer to answer), none discarded', async () => {
    await configure(configuration, { TransactionMessageAttempts: 1 });
    const CALL_TIMEOUT_MS = 30 * S;
    const LATENCY_MS = CALL_TIMEOUT_MS + 100;
    for (let n = 1; n <= 3; n++) await queue.enqueue(meter('s1', n));
    const processed: string[] = [];
    connection.respond = (_action, payload, timeoutMs) => {
      processed.push((payload as { meterValue: Array<{ sampledValue: Array<{ value: string }> }> }).meterValue[0]!.sampledValue[0]!.value);
      // The backend acts on it either way; the answer reaches us only if we wait long enough.
      if ((timeoutMs ?? CALL_TIMEOUT_MS) < LATENCY_MS) throw failure('timeout', 'MeterValues');
      return {};
    };
    online();
    sender = new TransactionSender({ queue, link, clock, drainPerSecond: 0, callTimeoutMs: CALL_TIMEOUT_MS, onDelivered: (message, result) => void delivered.push({ message, result }), log: logSink().log });
    sender.start();
    await until(() => delivered.length === 3, 'all delivered');
    assert.deepEqual(processed, ['1', '1', '2', '2', '3', '3']);
    assert.deepEqual(connection.calls.map((c) => c.timeoutMs), [undefined, 2 * CALL_TIMEOUT_MS, undefined, 2 * CALL_TIMEOUT_MS, undefined, 2 * CALL_TIMEOUT_MS]);
    assert.equal(connection.probes, 3, 'the link tested after each timeout');
    assert.deepEqual(fx.queueProblems, []);
  });

  it(`a backend slower than ${MAX_ANSWER_WAIT_FACTOR} call timeouts: the message is kept, sent again with at most that long to answer`, async () => {
    await configure(configuration, { TransactionMessageAttempts: 1 });
    await queue.enqueue(meter('s1', 1));
    online();
    sender = new TransactionSender({ queue, link, clock, drainPerSecond: 0, callTimeoutMs: 10 * S, onDelivered: (message, result) => void delivered.push({ message, result }), log: logSink().log });
    sender.start();
    for (let n = 1; n <= 4; n++) (await connection.nthCall(n)).reject(failure('timeout', 'MeterValues'));
    await connection.nthCall(5);
    assert.deepEqual(connection.calls.slice(0, 5).map((c) => c.timeoutMs), [undefined, 20 * S, 40 * S, 40 * S, 40 * S]);
    assert.equal(queue.size, 1);
    assert.equal(queue.peek()!.attempts, 0);
    assert.deepEqual(fx.queueProblems, []);
  });

  it('a connection lost mid-call: resent when back, no attempt counted', async () => {
    await queue.enqueue(meter('s1', 1));
    online();
    makeSender().start();
    const first = await connection.nthCall(1);
    connection.close();
    first.reject(failure('offline', 'MeterValues'));
    await clock.advance(10 * S);
    assert.equal(connection.calls.length, 1);
    assert.equal(queue.peek()!.attempts, 0);
    connection.respond = () => ({});
    online();
    await until(() => delivered.length === 1, 'delivered after reconnect');
    assert.equal(connection.calls.length, 2);
  });

  it('pacing: drainPerSecond spaces the backlog on the clock', async () => {
    for (let n = 1; n <= 4; n++) await queue.enqueue(meter('s1', n));
    connection.respond = () => ({});
    online();
    makeSender(2).start();
    await connection.nthCall(1);
    const t0 = connection.calls[0]!.at;
    for (let n = 2; n <= 4; n++) {
      await until(() => clock.hasTimeoutAt(t0 + (n - 1) * 500), `pause before #${n}`);
      assert.equal(connection.calls.length, n - 1);
      await clock.advance(500);
      await connection.nthCall(n);
    }
    assert.deepEqual(connection.calls.map((c) => c.at - t0), [0, 500, 1000, 1500]);
    await until(() => delivered.length === 4, 'all delivered');
  });

  it('pacing 0: as fast as the backend answers, no time passes', async () => {
    for (let n = 1; n <= 4; n++) await queue.enqueue(meter('s1', n));
    connection.respond = () => ({});
    online();
    makeSender(0).start();
    await until(() => delivered.length === 4, 'all delivered');
    assert.deepEqual(connection.calls.map((c) => c.at), [0, 0, 0, 0].map(() => clock.now()));
  });

  it('stop() while idle on an empty queue resolves', async () => {
    online();
    makeSender().start();
    await settle();
    let stopped = false;
    const stopping = sender!.stop().then(() => (stopped = true));
    await until(() => stopped, 'stop() resolved', 1000);
    await stopping;
    await queue.enqueue(meter('s1', 1));
    await settle();
    assert.equal(connection.calls.length, 0, 'nothing sent after stop');
  });

  it('stop() while waiting for the link resolves', async () => {
    await queue.enqueue(meter('s1', 1));
    makeSender().start();
    await settle();
    let stopped = false;
    void sender!.stop().then(() => (stopped = true));
    await until(() => stopped, 'stop() resolved', 1000);
    online();
    await settle();
    assert.equal(connection.calls.length, 0);
  });

  it('stop() while a message waits for its retry time resolves without the clock moving', async () => {
    await queue.enqueue(meter('s1', 1));
    online();
    makeSender().start();
    (await connection.nthCall(1)).reject(failure('call-error', 'MeterValues'));
    await until(() => clock.timeoutsDue.length > 0, 'retry scheduled');
    let stopped = false;
    void sender!.stop().then(() => (stopped = true));
    await until(() => stopped, 'stop() resolved', 1000);
    await clock.advance(600 * S);
    assert.equal(connection.calls.length, 1);
  });

  it('stop() while pacing resolves, and nothing more is sent', async () => {
    for (let n = 1; n <= 2; n++) await queue.enqueue(meter('s1', n));
    connection.respond = () => ({});
    online();
    makeSender(0.1).start();
    await connection.nthCall(1);
    await until(() => clock.timeoutsDue.length > 0, 'pacing pause');
    let stopped = false;
    void sender!.stop().then(() => (stopped = true));
    await until(() => stopped, 'stop() resolved', 1000);
    await clock.advance(60 * S);
    assert.equal(connection.calls.length, 1);
  });

  it('an onDelivered that throws does not stop delivery', async () => {
    for (let n = 1; n <= 2; n++) await queue.enqueue(meter('s1', n));
    connection.respond = () => ({});
    online();
    const { log, lines } = logSink();
    sender = new TransactionSender({
      queue,
      link,
      clock,
      drainPerSecond: 0,
      onDelivered: () => {
        throw new Error('boom');
      },
      log,
    });
    sender.start();
    const boom = () => lines.filter((l) => l.level === 'error' && l.message.includes('boom')).length;
    await until(() => boom() === 2, 'both answers handled');
    assert.equal(queue.size, 0);
    assert.equal(sender.deliveredCount, 2);
  });

  it('keeps nothing of a delivered message: a long run does not grow the heap', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const N = 300;
    for (let n = 1; n <= N; n++) await queue.enqueue(meter('s1', n));
    connection.respond = () => ({});
    online();
    const payloads: Array<WeakRef<object>> = [];
    sender = new TransactionSender({
      queue,
      link,
      clock,
      drainPerSecond: 1000, // pacing sleeps too
      onDelivered: (message) => void payloads.push(new WeakRef(message.payload as object)),
      log: logSink().log,
    });
    sender.start();
    for (let n = 1; n <= N; n++) {
      await until(() => connection.calls.length >= n || clock.timeoutsDue.length > 0, `call #${n} or its pause`);
      if (connection.calls.length < n) await clock.advance(1);
    }
    await until(() => payloads.length === N, 'all delivered');
    connection.calls.length = 0; // the fake's own record of what it was sent
    await settle();
    gc();
    await settle();
    gc();
    const alive = payloads.filter((ref) => ref.deref() !== undefined).length;
    assert.ok(alive <= 2, `${alive} of ${N} delivered payloads still reachable`);
  });
});
