// WebSocket ping supervision (OCPP-J 1.6 §7 WebSocketPingInterval; J errata §3.9: pings must detect
// a half-open connection and close it). A ping whose pong has not come back when the next ping is
// due ends the connection, which the caller then replaces: never "connected" while silent.
// `probe()` tests the link at once (a CALL went unanswered: is the link dead or the backend slow?),
// also with WebSocketPingInterval 0.

import type { RawSocket } from './rpc-client.js';

export class Keepalive {
  private timer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private intervalS = 0;
  private probing: { readonly waiters: Array<(alive: boolean) => void>; readonly timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly socket: RawSocket,
    /** Called once, just before the socket is terminated for want of a pong (seconds waited for it). */
    private readonly onSilent: (waitedS: number) => void,
  ) {}

  /**
   * Pings now: true once a pong comes back; false when none comes within `timeoutMs` (the socket
   * is then terminated, like a silent one at the interval) or the socket goes meanwhile.
   * Concurrent probes share one ping.
   */
  probe(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.probing) return void this.probing.waiters.push(resolve);
      const timer = setTimeout(() => {
        this.stop();
        this.onSilent(timeoutMs / 1000);
        this.socket.terminate();
      }, timeoutMs);
      this.probing = { waiters: [resolve], timer };
      try {
        this.socket.ping();
      } catch {
        this.stop();
        this.socket.terminate(); // the socket is already going: make sure it goes
      }
    });
  }

  /** 0 turns client pings off (§7: then only the server may ping). Restarts the period. */
  setInterval(seconds: number): void {
    this.stop();
    this.intervalS = seconds;
    if (seconds > 0) this.timer = setInterval(() => this.tick(), seconds * 1000);
  }

  pong(): void {
    this.awaitingPong = false;
    this.endProbe(true);
  }

  /** Ends the interval pings; a probe in progress resolves false (the link is going). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.awaitingPong = false;
    this.endProbe(false);
  }

  private endProbe(alive: boolean): void {
    const probing = this.probing;
    if (!probing) return;
    this.probing = undefined;
    clearTimeout(probing.timer);
    for (const resolve of probing.waiters) resolve(alive);
  }

  private tick(): void {
    if (this.awaitingPong) {
      this.stop();
      this.onSilent(this.intervalS);
      this.socket.terminate();
      return;
    }
    this.awaitingPong = true;
    try {
      this.socket.ping();
    } catch {
      this.stop();
      this.socket.terminate(); // the socket is already going: make sure it goes
    }
  }
}
