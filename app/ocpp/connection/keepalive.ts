// WebSocket ping supervision (OCPP-J 1.6 §7 WebSocketPingInterval; J errata §3.9: pings must detect
// a half-open connection and close it). A ping whose pong has not come back when the next ping is
// due ends the connection, which the caller then replaces: never "connected" while silent.

import type { RawSocket } from './rpc-client.js';

export class Keepalive {
  private timer: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private intervalS = 0;

  constructor(
    private readonly socket: RawSocket,
    /** Called once, just before the socket is terminated for want of a pong. */
    private readonly onSilent: (intervalS: number) => void,
  ) {}

  /** 0 turns client pings off (§7: then only the server may ping). Restarts the period. */
  setInterval(seconds: number): void {
    this.stop();
    this.intervalS = seconds;
    if (seconds > 0) this.timer = setInterval(() => this.tick(), seconds * 1000);
  }

  pong(): void {
    this.awaitingPong = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.awaitingPong = false;
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
