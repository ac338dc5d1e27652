// The OCPP 1.6J charge point, composed: connection, registration and heartbeat, status
// notifications, authorization, transactions with their durable queue, metering, availability,
// and the backend's commands. Opened before the charger (the charger needs its authorizer),
// started with the charger.

import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../hal/clock.js';
import type { ChargerConfig } from '../../config/charger-config.js';
import { AuthorizationCache } from './authorization/authorization-cache.js';
import { OcppAuthorizer } from './authorization/ocpp-authorizer.js';
import { AvailabilityService } from './availability/availability-service.js';
import { BackendLink } from './backend-link.js';
import { BootService, type RegistrationStatus } from './boot/boot-service.js';
import type { ChargerPort } from './charger-port.js';
import { ConfigurationStore } from './configuration/configuration-store.js';
import { OcppConnection } from './connection/ocpp-connection.js';
import { NO_REPLY } from './connection/rpc-client.js';
import type { TlsMaterial } from './connection/security-options.js';
import { MeterSampler } from './metering/meter-sampler.js';
import { OcppTime } from './ocpp-time.js';
import { bootNotificationRequest } from './messages/boot-notification.js';
import { INCOMING_OPERATIONS } from './operations/registry.js';
import { TransactionQueue } from './queue/transaction-queue.js';
import type { OcppServices, ResetType } from './services.js';
import { TxProfiles } from './smart-charging/tx-profiles.js';
import { StatusNotifier } from './status/status-notifier.js';
import { TransactionService } from './transactions/transaction-service.js';
import { ACTION as STATUS_NOTIFICATION } from './messages/status-notification.js';
import { waitUntil } from '../wait-until.js';
import { LocalList } from '../local-list/local-list.js';

export const QUEUE_DIR = 'ocpp-queue';
/** Keys whose change the charger's session rules follow. */
const SESSION_RULE_KEYS = new Set(['ConnectionTimeOut', 'StopTransactionOnEVSideDisconnect', 'UnlockConnectorOnEVSideDisconnect']);
/** How long a reset waits for the StopTransactions to reach the backend before it restarts anyway. */
export const RESET_DRAIN_MS = 10_000;

export type OcppLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface OcppClientOptions {
  readonly config: ChargerConfig;
  readonly csmsUrl: string;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly tls: TlsMaterial;
  readonly firmwareVersion: string;
  readonly meterType: string;
  readonly log: OcppLog;
  /** Restarts the firmware (Soft: the application; Hard: the process). Called once the sessions are closed. */
  readonly restart: (type: ResetType) => void;
  /** Told when the BootNotification went out (benchmarks). */
  readonly onBootSent?: () => void;
  /** Wait this long before the first connection (boot-loop back-off, app/supervision/boot-loop-guard.ts). Default 0. */
  readonly connectDelayMs?: number;
  /** Told (one line, besides the error log) when one of the client's files was found damaged: for the security event log. */
  readonly onStorageDamage?: (message: string) => void;
}

/** Problem kinds (of the stores and the transaction journal) that mean a file was damaged, not merely cut short by a power cut. */
const STORAGE_DAMAGE: ReadonlySet<string> = new Set(['corrupt', 'corrupt-segment', 'empty-segment', 'corrupt-record', 'unreadable']);

/** How the client's stores report: an error log line, and damage to onStorageDamage too. */
function storeReporter(options: OcppClientOptions): (problem: { kind?: string; message: string }) => void {
  return (problem) => {
    options.log('error', problem.message);
    if (problem.kind !== undefined && STORAGE_DAMAGE.has(problem.kind)) options.onStorageDamage?.(problem.message);
  };
}

export interface OcppClientStatus {
  readonly connected: boolean;
  readonly registration: RegistrationStatus;
  readonly queuedMessages: number;
}

export class OcppClient {
  private started: {
    readonly charger: ChargerPort;
    readonly status: StatusNotifier;
    readonly sampler: MeterSampler;
    readonly transactions: TransactionService;
    readonly txProfiles: TxProfiles;
    readonly disposers: (() => void)[];
  } | null = null;
  private resetting = false;
  /** What the backend's CALLs are handled with, once start() has built it. */
  private readonly services: Promise<OcppServices>;
  private resolveServices!: (services: OcppServices) => void;
  private connectTimer: TimerHandle | null = null;

  private constructor(
    private readonly options: OcppClientOptions,
    readonly configuration: ConfigurationStore,
    private readonly connection: OcppConnection,
    private readonly link: BackendLink,
    private readonly time: OcppTime,
    private readonly queue: TransactionQueue,
    /** The charger's authorizer in OCPP mode; null in free charging. */
    readonly authorizer: OcppAuthorizer | null,
    /** The local authorization list (app/local-list/), kept in free-charging mode too. */
    readonly localList: LocalList,
    private readonly boot: BootService,
  ) {
    this.services = new Promise((resolve) => (this.resolveServices = resolve));
  }

  static async open(options: OcppClientOptions): Promise<OcppClient> {
    const { config, dataDir, clock, log, tls } = options;
    const report = storeReporter(options);
    const configuration = await ConfigurationStore.open(dataDir, {
      numberOfConnectors: config.connectors.length,
      initial: config.ocpp.configuration,
      report,
      // Whitepaper A05.FR.03/04: profile 2 needs the CSMS root certificate, 3 also our own.
      securityProfilePrerequisites: (profile) => Boolean(tls.ca) && (profile < 3 || Boolean(tls.cert && tls.key)),
    });
    const connection = new OcppConnection({
      csmsUrl: options.csmsUrl,
      chargePointId: config.identity.chargePointId,
      configuration,
      tls,
      callTimeoutMs: config.ocpp.callTimeoutS * 1000,
      clock,
      log,
    });
    const link = new BackendLink(connection);
    const time = new OcppTime(clock);
    // An IdTagInfo's expiryDate is the backend's time: the cache judges it by the corrected clock.
    const cache = await AuthorizationCache.open(dataDir, { clock: time.clock, report });
    const localList = await LocalList.open(dataDir, {
      clock: time.clock,
      report,
      limits: () => ({ maxEntries: configuration.integer('LocalAuthListMaxLength'), maxChanges: configuration.integer('SendLocalListMaxLength') }),
    });
    const authorizer = config.authorization.mode === 'free'
      ? null
      : new OcppAuthorizer({ caller: link, cache, localList, configuration, clock: time.clock, log: (message, fields) => log('info', message, fields) });
    const queue = await TransactionQueue.open(join(dataDir, QUEUE_DIR), {
      clock,
      maxAttempts: () => configuration.integer('TransactionMessageAttempts'),
      retryIntervalS: () => configuration.integer('TransactionMessageRetryInterval'),
      report,
    });
    const boot = new BootService({
      connection,
      link,
      configuration,
      time,
      clock,
      request: bootNotificationRequest(config.identity, options.firmwareVersion, options.meterType),
      log,
      onBootSent: options.onBootSent,
    });
    const client = new OcppClient(options, configuration, connection, link, time, queue, authorizer, localList, boot);
    client.connect();
    return client;
  }

  /** Follows the charger (open() has connected already). `recoveredSessionIds`: sessions the charger closed at its start (power cut). */
  async start(charger: ChargerPort, recoveredSessionIds: ReadonlySet<string>): Promise<void> {
    const { config, clock, log, dataDir } = this.options;
    const { configuration, link, time, queue } = this;
    const availability = await AvailabilityService.open(dataDir, charger, storeReporter(this.options));

    let transactions: TransactionService | null = null;
    const sampler = new MeterSampler({
      charger,
      configuration,
      clock: time.clock,
      stamp: (localIso) => time.iso(localIso),
      send: (message) => transactions?.meterValues(message),
      report: (message) => log('error', message),
      onClockSet: (listener) => time.onSet(listener),
    });
    transactions = new TransactionService({
      queue,
      link,
      charger,
      sampler,
      configuration,
      time,
      clock,
      freeChargingIdTag: config.ocpp.freeChargingIdTag,
      drainPerSecond: config.ocpp.queueDrainPerSecond,
      callTimeoutMs: config.ocpp.callTimeoutS * 1000,
      learn: (idTag, info) => void this.authorizer?.learn(idTag, info),
      recoveredSessionIds,
      log,
    });
    const txProfiles = new TxProfiles(charger, clock, config.site.nominalVoltageV);
    const status = new StatusNotifier({
      charger,
      configuration,
      // Local clock: a status that began before the backend's time was adopted (BootNotification.conf)
      // is stamped in the backend's time when sent. (Transaction messages keep their transaction's
      // time base instead: transactions/restamp.ts.)
      clock,
      send: (payload) => link.call(STATUS_NOTIFICATION, { ...payload, timestamp: time.iso(payload.timestamp) }).then(() => undefined),
      log: (message, fields) => log('info', message, fields),
    });
    const boot = this.boot;
    const services: OcppServices = {
      charger,
      configuration,
      authorizer: this.authorizer,
      transactions,
      availability,
      txProfiles,
      localList: this.localList,
      registration: () => boot.registration,
      reset: (type) => void this.reset(type),
      afterAnswer: (task) => {
        // The next turn of the event loop, after the answer's send (a promise continuation): an
        // order, not a delay, so not the Clock's (a virtual clock standing still must not hold it).
        setImmediate(() => {
          Promise.resolve()
            .then(task)
            .catch((error: Error) => log('error', `after-answer task failed: ${error.message}`));
        });
      },
      log,
    };

    const applySessionRules = () => charger.configureSessions({
      plugInTimeoutMs: configuration.integer('ConnectionTimeOut') * 1000,
      keepSessionOnUnplug: !configuration.boolean('StopTransactionOnEVSideDisconnect'),
      unlockOnUnplug: configuration.boolean('UnlockConnectorOnEVSideDisconnect'),
    });
    applySessionRules();
    const disposers = [
      ...(this.authorizer ? [this.authorizer.onListConflict((idTag) => status.localListConflict(idTag))] : []),
      link.onOnline(() => status.online()),
      link.onOffline(() => status.offline()),
      configuration.onChange((key) => {
        if (SESSION_RULE_KEYS.has(key)) applySessionRules();
        // Whitepaper A01.FR.11/12: the change is logged, its value never.
        if (key === 'AuthorizationKey') log('warn', 'AuthorizationKey changed by the backend; used from the next connection');
      }),
    ];
    this.started = { charger, status, sampler, transactions, txProfiles, disposers };
    status.start();
    if (link.online) status.online(); // accepted while the charger was starting
    await transactions.start();
    this.resolveServices(services);
  }

  /**
   * Registers and connects at once, before the charger has started (the BootNotification needs
   * nothing from it): the backend's CALLs wait for the services, the transaction messages for
   * the reconciliation in start().
   */
  private connect(): void {
    const { clock, log } = this.options;
    for (const operation of INCOMING_OPERATIONS) {
      this.connection.handle(operation.action, async (payload) => {
        // §4.2: while Rejected, the charge point SHALL NOT respond to any Central System initiated message.
        if (this.boot.registration === 'Rejected') return NO_REPLY;
        return operation.handle(await this.services, payload);
      });
    }
    this.boot.start();
    const delayMs = this.options.connectDelayMs ?? 0;
    if (delayMs > 0) {
      log('warn', `connecting to the CSMS in ${Math.round(delayMs / 1000)} s (boot-loop back-off)`, { connectDelayMs: delayMs });
      this.connectTimer = clock.setTimeout(() => {
        this.connectTimer = null;
        this.connection.start();
      }, delayMs);
    } else {
      this.connection.start();
    }
  }

  get status(): OcppClientStatus {
    return {
      connected: this.connection.connected,
      registration: this.boot.registration,
      queuedMessages: this.queue.size,
    };
  }

  /** Resolves once every transaction message queued so far is durable. */
  async settle(): Promise<void> {
    await this.started?.transactions.idle();
  }

  async stop(): Promise<void> {
    const started = this.started;
    this.started = null;
    if (this.connectTimer !== null) this.options.clock.clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.boot.stop();
    if (started) {
      for (const dispose of started.disposers) dispose();
      started.status.stop();
      started.sampler.stop();
      started.txProfiles.stop();
      await started.transactions.stop();
    }
    await this.connection.stop();
    await this.queue.close();
  }

  /** §5.13: every session ends with the reset's reason, its StopTransaction is queued and, if we can, delivered; then restart. */
  private async reset(type: ResetType): Promise<void> {
    const started = this.started;
    if (!started || this.resetting) return;
    this.resetting = true;
    const { charger, transactions } = started;
    const { clock, log } = this.options;
    const deadline = clock.now() + RESET_DRAIN_MS;
    await charger.endSessions(type === 'Soft' ? 'SoftReset' : 'HardReset');
    await transactions.idle();
    // Then, while we can, let the StopTransactions reach the backend: until the queue is empty or
    // the link is down (re-checked as messages leave the queue and when the link goes offline).
    const done = () => !this.link.online || transactions.drained;
    await waitUntil(clock, done, (changed) => {
      const stops = [transactions.onQueueShrink(changed), this.link.onOffline(changed)];
      return () => stops.forEach((stop) => stop());
    }, deadline - clock.now());
    log('warn', `${type} reset: restarting`, { queued: this.queue.size });
    this.options.restart(type);
  }
}
