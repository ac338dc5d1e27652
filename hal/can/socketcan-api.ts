// The part of the `socketcan` package (v4) the co-processor driver uses, as structural types:
// the package stays an optional dependency, and tests hand in hal/far-side/fake-socketcan.ts in its place.

/** A frame as the package passes it: `send` takes it, `onMessage` listeners receive it. */
export interface CanMessage {
  id: number;
  /** 29-bit id (this protocol uses 11-bit ids only). */
  ext?: boolean;
  /** Remote frame. */
  rtr?: boolean;
  /** An error frame from the controller (bus errors, bus-off); only on receipt. */
  err?: boolean;
  data: Buffer;
  ts_sec?: number;
  ts_usec?: number;
}

export interface CanRxFilter {
  id: number;
  mask: number;
  invert?: boolean;
}

export interface RawChannelLike {
  addListener(event: 'onMessage', callback: (message: CanMessage) => void): void;
  addListener(event: 'onStopped', callback: () => void): void;
  start(): void;
  stop(): void;
  /** Returns the bytes written, or −1 when the socket refused (full queue with non-blocking send, bus-off). */
  send(message: CanMessage): number | void;
  setRxFilters?(filters: CanRxFilter | CanRxFilter[]): void;
}

export interface RawChannelOptions {
  timestamps?: boolean;
  protocol?: number;
  /** Without it, send() blocks the event loop while the controller's queue is full. */
  non_block_send?: boolean;
}

export interface SocketCanModule {
  createRawChannel(iface: string, timestamps?: boolean): RawChannelLike;
  createRawChannelWithOptions?(iface: string, options: RawChannelOptions): RawChannelLike;
}
