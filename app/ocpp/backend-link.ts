// The services' way to the backend: CALLs go out only while the connection is up and the
// backend has accepted our BootNotification (OCPP 1.6 §4.2: before that, nothing but the
// BootNotification itself). Tells listeners when that starts and stops holding. A CALL left
// unanswered (timeout) makes the link suspect: it is tested at once with a WebSocket ping, and
// replaced when the pong does not come (a timeout alone is not an outage, nor a dead link).

import type { CallOptions, OcppConnection } from './connection/ocpp-connection.js';
import { OcppCallError, type OcppCaller } from './ocpp-types.js';

export class BackendLink implements OcppCaller {
  private accepted = false;
  private readonly onlineListeners = new Set<() => void>();
  private readonly offlineListeners = new Set<() => void>();
  private waiters: (() => void)[] = [];
  private probing: Promise<boolean> | null = null;

  constructor(private readonly connection: OcppConnection) {
    connection.onClose(() => {
      if (this.accepted) for (const listener of [...this.offlineListeners]) listener();
    });
  }

  get online(): boolean {
    return this.accepted && this.connection.connected;
  }

  /** The backend accepted the BootNotification (or the connection came back after it had). */
  announceOnline(): void {
    this.accepted = true;
    if (!this.connection.connected) return;
    for (const listener of [...this.onlineListeners]) listener();
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  call<T = unknown>(action: string, payload: unknown, options?: CallOptions): Promise<T> {
    if (!this.online) return Promise.reject(new OcppCallError('offline', action, `${action} not sent: not connected to an accepting backend`));
    return this.connection.call<T>(action, payload, options).catch((error: unknown) => {
      if (error instanceof OcppCallError && error.kind === 'timeout') void this.probe();
      throw error;
    });
  }

  /** Tests the link (see OcppConnection.probe); one ping at a time. True: the link answered. */
  probe(): Promise<boolean> {
    this.probing ??= this.connection.probe().finally(() => (this.probing = null));
    return this.probing;
  }

  /** Resolves once online (at once if already). */
  whenOnline(): Promise<void> {
    if (this.online) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  onOnline(listener: () => void): () => void {
    this.onlineListeners.add(listener);
    return () => void this.onlineListeners.delete(listener);
  }

  onOffline(listener: () => void): () => void {
    this.offlineListeners.add(listener);
    return () => void this.offlineListeners.delete(listener);
  }

  /** Wakes whoever waits (they see `online` false and wait again, or stop). */
  release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
