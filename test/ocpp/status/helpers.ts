import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { VirtualClock } from '../../../hal/clock.js';
import { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { StatusNotifier } from '../../../app/ocpp/status/status-notifier.js';
import type { StatusNotificationRequest } from '../../../app/ocpp/status/status-report.js';
import type { FaultView } from '../../../app/ocpp/charger-port.js';
import type { SessionRecord } from '../../../app/records.js';
import { FAULTS, type FaultName } from '../../../state-machines/faults.js';
import { FakeChargerPort } from '../fake-charger-port.js';

export const T0 = Date.UTC(2026, 0, 1);

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Only its presence matters to status reporting. */
export const SESSION = { sessionId: 's-1', connectorId: 1 } as unknown as SessionRecord;

export function faultView(fault: FaultName, since = '2026-01-01T00:00:00.000Z'): FaultView {
  const row = FAULTS[fault];
  return { fault, ocppErrorCode: row.ocppErrorCode, vendorErrorCode: row.vendorErrorCode, info: row.displayReason, since };
}

/** "connectorId status errorCode", for compact sequence assertions. */
export const brief = (p: StatusNotificationRequest): string => `${p.connectorId} ${p.status} ${p.errorCode}`;

interface PendingSend {
  readonly payload: StatusNotificationRequest;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * A notifier on a fake charger (two connectors), a virtual clock and a real configuration
 * store in a temporary directory. `send` records every call; it resolves at once unless
 * `manual` is set, when each call waits in `pending` for the test to settle it, or `failWith`
 * holds an error to reject with.
 */
export function statusFixture() {
  const fx = {
    dir: '',
    clock: new VirtualClock(T0),
    charger: new FakeChargerPort(2),
    store: undefined as unknown as ConfigurationStore,
    notifier: undefined as unknown as StatusNotifier,
    sent: [] as StatusNotificationRequest[],
    logs: [] as string[],
    manual: false,
    failWith: null as unknown,
    pending: [] as PendingSend[],
    /** Lets queued sends run. */
    settle: () => fx.clock.advance(0),
    briefs: () => fx.sent.map(brief),
    async minimumStatusDuration(seconds: number): Promise<void> {
      const status = await fx.store.change('MinimumStatusDuration', String(seconds));
      if (status !== 'Accepted') throw new Error(`MinimumStatusDuration ${seconds}: ${status}`);
    },
    /** start() + online(), then forgets what online() sent. */
    async startOnline(): Promise<void> {
      fx.notifier.start();
      fx.notifier.online();
      await fx.settle();
      fx.sent.length = 0;
    },
  };
  beforeEach(async () => {
    fx.dir = await mkdtemp(join(tmpdir(), 'charger-ocpp-status-'));
    fx.clock = new VirtualClock(T0);
    fx.charger = new FakeChargerPort(2);
    fx.sent = [];
    fx.logs = [];
    fx.manual = false;
    fx.failWith = null;
    fx.pending = [];
    fx.store = await ConfigurationStore.open(fx.dir, { numberOfConnectors: 2, report: () => undefined });
    fx.notifier = new StatusNotifier({
      charger: fx.charger,
      configuration: fx.store,
      clock: fx.clock,
      log: (message) => void fx.logs.push(message),
      send: (payload) => {
        fx.sent.push(payload);
        if (fx.failWith !== null) return Promise.reject(fx.failWith);
        if (!fx.manual) return Promise.resolve();
        return new Promise<void>((resolve, reject) => void fx.pending.push({ payload, resolve, reject }));
      },
    });
  });
  afterEach(async () => {
    fx.notifier.stop();
    await rm(fx.dir, { recursive: true, force: true, maxRetries: 3 });
  });
  return fx;
}
