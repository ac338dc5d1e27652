// Registration with the backend (OCPP 1.6 §4.2) and the heartbeat that follows it (§4.6).
//
// On the first connection after start-up we send BootNotification. Accepted: the link goes
// online, the interval becomes our HeartbeatInterval. Pending: we only answer the backend's
// CALLs and ask again after `interval`. Rejected: we send nothing until `interval` has passed.
// A reconnect after acceptance needs no new BootNotification: the link goes online again.

import type { Clock, TimerHandle } from '../../../hal/clock.js';
import type { ConfigurationStore } from '../configuration/configuration-store.js';
import type { OcppConnection } from '../connection/ocpp-connection.js';
import type { BackendLink } from '../backend-link.js';
import type { OcppTime } from '../ocpp-time.js';
import { ACTION as BOOT, type BootNotificationConf, type BootNotificationRequest } from '../messages/boot-notification.js';
import { ACTION as HEARTBEAT, heartbeatRequest, type HeartbeatConf } from '../messages/heartbeat.js';

/** When the backend says interval 0 (its choice left to us), or the call failed: ask again after this. */
export const BOOT_RETRY_DEFAULT_S = 30;

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected' | 'NotRegistered';

export interface BootServiceOptions {
  readonly connection: OcppConnection;
  readonly link: BackendLink;
  readonly configuration: ConfigurationStore;
  readonly time: OcppTime;
  readonly clock: Clock;
  readonly request: BootNotificationRequest;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Told when the BootNotification was sent (for the boot benchmark). */
  readonly onBootSent?: () => void;
}

export class BootService {
  private status: RegistrationStatus = 'NotRegistered';
  private retryTimer: TimerHandle | null = null;
  private heartbeatTimer: TimerHandle | null = null;
  private booting = false;
  private stopped = false;
  private readonly disposers: (() => void)[] = [];

  constructor(private readonly options: BootServiceOptions) {}

  get registration(): RegistrationStatus {
    return this.status;
  }

  start(): void {
    const { connection, configuration } = this.options;
    this.disposers.push(
      connection.onOpen(() => this.onOpen()),
      connection.onClose(() => this.stopHeartbeat()),
      configuration.onChange((key) => {
        if (key === 'HeartbeatInterval' && this.status === 'Accepted' && this.options.connection.connected) this.startHeartbeat();
      }),
    );
    if (connection.connected) this.onOpen();
  }

  stop(): void {
    this.stopped = true;
    for (const dispose of this.disposers) dispose();
    this.clearRetry();
    this.stopHeartbeat();
  }

  private onOpen(): void {
    if (this.status === 'Accepted') {
      this.options.link.announceOnline();
      this.startHeartbeat();
      return;
    }
    // Rejected: silent until the retry timer says so (§4.2); Pending: the retry timer asks again.
    if (this.retryTimer === null) void this.boot();
  }

  private async boot(): Promise<void> {
    const { connection, request, log, time } = this.options;
    if (this.booting || this.stopped || !connection.connected) return;
    this.booting = true;
    try {
      const sent = connection.call<BootNotificationConf>(BOOT, request);
      this.options.onBootSent?.();
      const conf = await sent;
      time.adopt(conf.currentTime);
      this.status = conf.status;
      log(conf.status === 'Accepted' ? 'info' : 'warn', `BootNotification ${conf.status}`, { interval: conf.interval });
      if (conf.status === 'Accepted') {
        if (conf.interval > 0) await this.options.configuration.change('HeartbeatInterval', String(conf.interval));
        this.options.link.announceOnline();
        this.startHeartbeat();
      } else {
        this.retryIn(conf.interval > 0 ? conf.interval : BOOT_RETRY_DEFAULT_S);
      }
    } catch (error) {
      log('warn', `BootNotification failed: ${(error as Error).message}`);
      if (connection.connected) this.retryIn(BOOT_RETRY_DEFAULT_S);
    } finally {
      this.booting = false;
    }
  }

  private retryIn(seconds: number): void {
    this.clearRetry();
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      void this.boot();
    }, seconds * 1000);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const { clock, configuration, link, time, log } = this.options;
    const seconds = configuration.integer('HeartbeatInterval');
    this.heartbeatTimer = clock.setInterval(() => {
      link.call<HeartbeatConf>(HEARTBEAT, heartbeatRequest()).then(
        (conf) => time.adopt(conf.currentTime),
        (error: Error) => log('warn', `Heartbeat failed: ${error.message}`),
      );
    }, seconds * 1000);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) this.options.clock.clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }
}
