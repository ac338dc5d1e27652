// A fake of the `socketcan` package at its boundary (createRawChannel and the raw channel's
// addListener/start/stop/send/setRxFilters), over an in-memory bus per interface, for tests and
// benchmarks on machines without CAN. Like a real bus (and vcan with its default loopback), a
// frame reaches every other started channel on the same interface, not its sender; like the
// native package, delivery is asynchronous (a microtask here, so a VirtualClock's advance settles it).
//
// The MCU on the other end is McuSimulator (mcu-simulator.ts): it runs on any raw channel, one
// of this fake or a real one on vcan0.

import type { Clock } from '../clock.js';
import type { Unsubscribe } from '../interfaces.js';
import type { CanMessage, CanRxFilter, RawChannelLike, RawChannelOptions, SocketCanModule } from '../can/socketcan-api.js';

/** One frame as it went over the fake bus. */
export interface BusRecord {
  readonly seq: number;
  /** The sending channel's name (`can0#1`), or 'injected'. */
  readonly from: string;
  /** Clock time of the send (the fake's clock, or the precise system time). */
  readonly at: number;
  readonly id: number;
  readonly ext: boolean;
  readonly rtr: boolean;
  readonly err: boolean;
  readonly data: Buffer;
}

const preciseNow = (): number => performance.timeOrigin + performance.now();

export class FakeCanBus {
  /** Frames sent, oldest first (the newest `logLimit`). */
  readonly log: BusRecord[] = [];
  /** While true every send is refused (returns −1), as on a bus-off controller or a downed interface. */
  down = false;
  private readonly channels = new Set<FakeRawChannel>();
  private readonly monitors = new Set<(record: BusRecord) => void>();
  private seq = 0;

  constructor(
    readonly name: string,
    private readonly now: () => number,
    readonly logLimit = 10_000,
  ) {}

  /** Sees every frame at the instant it is sent (a candump). */
  monitor(listener: (record: BusRecord) => void): Unsubscribe {
    const entry = (record: BusRecord) => listener(record);
    this.monitors.add(entry);
    return () => {
      this.monitors.delete(entry);
    };
  }

  /** Puts a frame on the bus as another node would (a corrupt frame, a foreign node, an error frame). */
  inject(message: CanMessage): void {
    this.transmit(null, message);
  }

  clearLog(): void {
    this.log.length = 0;
  }

  /** Frames in the log with this id. */
  framesWithId(id: number): BusRecord[] {
    return this.log.filter((record) => record.id === id);
  }

  /** @internal */
  attach(channel: FakeRawChannel): void {
    this.channels.add(channel);
  }

  /** @internal */
  detach(channel: FakeRawChannel): void {
    this.channels.delete(channel);
  }

  /** @internal */
  transmit(sender: FakeRawChannel | null, message: CanMessage): void {
    const record: BusRecord = Object.freeze({
      seq: ++this.seq,
      from: sender?.name ?? 'injected',
      at: this.now(),
      id: message.id,
      ext: message.ext === true,
      rtr: message.rtr === true,
      err: message.err === true,
      data: Buffer.from(message.data),
    });
    this.log.push(record);
    if (this.log.length > this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
    for (const monitor of [...this.monitors]) monitor(record);
    const receivers = [...this.channels].filter((channel) => channel !== sender);
    queueMicrotask(() => {
      for (const channel of receivers) channel.deliver(record);
    });
  }
}

function matches(filters: readonly CanRxFilter[], id: number): boolean {
  return filters.some((filter) => {
    const hit = (id & filter.mask) === (filter.id & filter.mask);
    return filter.invert ? !hit : hit;
  });
}

export class FakeRawChannel implements RawChannelLike {
  private readonly messageListeners: ((message: CanMessage) => void)[] = [];
  private readonly stoppedListeners: (() => void)[] = [];
  private filters: readonly CanRxFilter[] | null = null;
  private started = false;
  private stopped = false;
  /** Frames this channel sent. */
  sent = 0;

  constructor(
    readonly bus: FakeCanBus,
    readonly name: string,
    /** How it was opened (non_block_send, timestamps). */
    public options: RawChannelOptions,
  ) {}

  get isStarted(): boolean {
    return this.started;
  }

  addListener(event: 'onMessage', callback: (message: CanMessage) => void): void;
  addListener(event: 'onStopped', callback: () => void): void;
  addListener(event: string, callback: (...args: never[]) => void): void {
    if (typeof callback !== 'function') throw new TypeError('Second argument must be a function');
    if (event === 'onMessage') this.messageListeners.push(callback as (message: CanMessage) => void);
    else if (event === 'onStopped') this.stoppedListeners.push(callback as () => void);
    else throw new Error('Event not supported');
  }

  start(): void {
    if (this.stopped) throw new Error('channel was stopped');
    this.started = true;
    this.bus.attach(this);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.started = false;
    this.bus.detach(this);
    queueMicrotask(() => {
      for (const listener of this.stoppedListeners) listener();
    });
  }

  send(message: CanMessage): number {
    if (this.stopped) throw new Error('Invalid channel!');
    if (typeof message !== 'object' || message === null) throw new TypeError('First argument must be an Object');
    if (!Buffer.isBuffer(message.data)) throw new TypeError('Data field must be a Buffer');
    if (message.data.length > 8) throw new RangeError(`classic CAN carries at most 8 bytes (got ${message.data.length})`);
    if (!Number.isInteger(message.id) || message.id < 0 || message.id > (message.ext ? 0x1fffffff : 0x7ff)) {
      throw new RangeError(`CAN id ${message.id} out of range`);
    }
    if (this.bus.down) return -1;
    this.sent++;
    this.bus.transmit(this, message);
    return 16; // sizeof(struct can_frame), as the native send() returns
  }

  setRxFilters(filters: CanRxFilter | CanRxFilter[]): void {
    this.filters = Array.isArray(filters) ? [...filters] : [filters];
  }

  /** @internal */
  deliver(record: BusRecord): void {
    if (!this.started) return;
    if (!record.err && this.filters && !matches(this.filters, record.id)) return;
    const message: CanMessage = { id: record.id, data: Buffer.from(record.data) };
    if (record.ext) message.ext = true;
    if (record.rtr) message.rtr = true;
    if (record.err) message.err = true;
    for (const listener of this.messageListeners) listener(message);
  }
}

export interface FakeSocketCanOptions {
  /** Interfaces that exist (default: can0). */
  readonly interfaces?: readonly string[];
  /** Times the bus log (default: the precise system time). */
  readonly clock?: Pick<Clock, 'now'>;
}

/** Stands in for the `socketcan` module: pass it as `deps.socketcan`. */
export class FakeSocketCan implements SocketCanModule {
  private readonly buses = new Map<string, FakeCanBus>();
  private readonly now: () => number;
  private opened = 0;
  readonly channels: FakeRawChannel[] = [];

  constructor(options: FakeSocketCanOptions = {}) {
    const clock = options.clock;
    this.now = clock ? () => clock.now() : preciseNow;
    for (const name of options.interfaces ?? ['can0']) this.addInterface(name);
  }

  addInterface(name: string): FakeCanBus {
    let bus = this.buses.get(name);
    if (!bus) {
      bus = new FakeCanBus(name, this.now);
      this.buses.set(name, bus);
    }
    return bus;
  }

  removeInterface(name: string): void {
    this.buses.delete(name);
  }

  bus(name: string): FakeCanBus {
    const bus = this.buses.get(name);
    if (!bus) throw new Error(`the fake has no interface ${name}`);
    return bus;
  }

  /** As the native package: throws when the interface does not exist (here with code ENODEV). */
  createRawChannel(iface: string, timestamps = false): FakeRawChannel {
    return this.open(iface, { timestamps });
  }

  createRawChannelWithOptions(iface: string, options: RawChannelOptions): FakeRawChannel {
    // Through createRawChannel, so a test that replaces it (to make opening fail) covers both.
    const channel = this.createRawChannel(iface, options.timestamps ?? false);
    channel.options = { ...options };
    return channel;
  }

  private open(iface: string, options: RawChannelOptions): FakeRawChannel {
    const bus = this.buses.get(iface);
    if (!bus) {
      throw Object.assign(new Error(`Error while creating channel: ${iface}: No such device`), { code: 'ENODEV', errno: -19 });
    }
    const channel = new FakeRawChannel(bus, `${iface}#${++this.opened}`, options);
    this.channels.push(channel);
    return channel;
  }
}
