// The watchdogs outside the process: systemd's (sd_notify over NOTIFY_SOCKET) and the kicks that
// reach them only while the control loop is healthy. The hardware watchdog driver itself is
// tested against a FIFO in test/hal/linux-watchdog.test.ts.

import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LivenessKicks } from '../../../app/safety/liveness-kicks.js';
import { SystemdNotifier, type DatagramSender } from '../../../app/safety/systemd-notify.js';

function fakeSender(): DatagramSender & { readonly sent: { path: string; message: string }[] } {
  const sent: { path: string; message: string }[] = [];
  return { sent, send: (path, message) => void sent.push({ path, message: message.toString() }), close: () => {} };
}

describe('systemd notifications', () => {
  it('not run by systemd (no NOTIFY_SOCKET): nothing to notify', async () => {
    assert.equal(await SystemdNotifier.fromEnv({}, async () => assert.fail('no sender needed')), null);
  });

  it('READY=1 and WATCHDOG=1 go to NOTIFY_SOCKET; the watchdog interval is half of WATCHDOG_USEC (sd_watchdog_enabled(3))', async () => {
    const sender = fakeSender();
    const notifier = (await SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '20000000' }, async () => sender))!;
    assert.equal(notifier.watchdogIntervalMs, 10_000); // WatchdogSec=20 → every 10 s
    notifier.ready();
    notifier.watchdog();
    assert.deepEqual(sender.sent, [
      { path: '/run/systemd/notify', message: 'READY=1' },
      { path: '/run/systemd/notify', message: 'WATCHDOG=1' },
    ]);
  });

  it('no WatchdogSec, or a watchdog meant for another process (WATCHDOG_PID): no watchdog interval', async () => {
    const sender = fakeSender();
    assert.equal((await SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '@notify' }, async () => sender))!.watchdogIntervalMs, null);
    const other = String(process.pid + 1);
    assert.equal((await SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '@notify', WATCHDOG_USEC: '2000000', WATCHDOG_PID: other }, async () => sender))!.watchdogIntervalMs, null);
  });

  it('over a real unix datagram socket (unix-dgram): systemd receives READY=1, then WATCHDOG=1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notify-'));
    const path = join(dir, 'notify.sock');
    const unixDgram = (await import('unix-dgram' as string)) as { createSocket(type: 'unix_dgram', listener: (message: Buffer) => void): { bind(path: string): void; close(): void; on(event: string, l: (...args: unknown[]) => void): void } };
    const received: string[] = [];
    const systemd = unixDgram.createSocket('unix_dgram', (message) => void received.push(message.toString()));
    const listening = new Promise<void>((resolve) => systemd.on('listening', () => resolve()));
    systemd.bind(path);
    await listening;
    const notifier = (await SystemdNotifier.fromEnv({ NOTIFY_SOCKET: path, WATCHDOG_USEC: '2000000' }))!;
    try {
      notifier.ready();
      notifier.watchdog();
      const deadline = Date.now() + 5000;
      while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(received, ['READY=1', 'WATCHDOG=1']);
    } finally {
      notifier.close();
      systemd.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('liveness kicks', () => {
  it('kick every target while the loop is healthy, and none once it is not', () => {
    const kicks: string[] = [];
    let healthy = true;
    const targets = [
      { name: 'hardware', intervalMs: 60_000, kick: () => void kicks.push('hardware') },
      { name: 'systemd', intervalMs: 60_000, kick: () => void kicks.push('systemd') },
    ];
    const running = new LivenessKicks(() => healthy, targets);
    running.stop();
    assert.deepEqual(kicks, ['hardware', 'systemd'], 'kicked at once when healthy');
    healthy = false;
    const unhealthy = new LivenessKicks(() => healthy, targets);
    unhealthy.stop();
    assert.deepEqual(kicks, ['hardware', 'systemd'], 'no kick while unhealthy');
  });
});
