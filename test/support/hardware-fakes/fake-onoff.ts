// A fake of the `onoff` package, shaped like the module (`{ Gpio }`), for driver tests and
// end-to-end tests on machines without GPIO. It keeps one state per line: the physical level,
// the configuration the driver asked for, and every value written. A test drives inputs by level
// or by logical value, or backs a line with a callback (a physics model) and calls refresh().
// Watch callbacks fire synchronously when an exported input's level changes on a watched edge.
// Like the kernel, the value seen through onoff is the physical level XOR activeLow, and the
// directions 'high' / 'low' set the raw (physical) level.

import type { BinaryValue, Direction, Edge, Options, ValueCallback } from 'onoff';
import type { OnoffModule } from '../../../hal/gpio/gpio-line.js';

export interface FakeLineState {
  readonly line: number;
  exported: boolean;
  /** Times the line was exported (a Gpio constructed for it). */
  exportCount: number;
  direction: Direction | null;
  edge: Edge;
  activeLow: boolean;
  debounceTimeout: number;
  /** The physical level on the pin. */
  level: BinaryValue;
  /** Logical values written, in order. */
  readonly writes: BinaryValue[];
  /** Watch callbacks registered. */
  watchers: number;
}

export interface FakeGpioEvent {
  readonly line: number;
  readonly kind: 'export' | 'write' | 'unexport';
  /** For writes: the logical value written. */
  readonly value?: BinaryValue;
  /** The physical level after the event. */
  readonly level: BinaryValue;
}

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${message}`);
  error.code = code;
  return error;
}

const bit = (value: boolean | number): BinaryValue => (value ? 1 : 0);

interface FakeGpioHandle {
  fire(value: BinaryValue): void;
}

export class FakeOnoff {
  /** Pass this as `deps.onoff`. */
  readonly module: OnoffModule;
  /** Exports, writes and unexports on every line, in order. */
  readonly events: FakeGpioEvent[] = [];
  private readonly states = new Map<number, FakeLineState>();
  private readonly handles = new Map<number, FakeGpioHandle>();
  private readonly sources = new Map<number, () => BinaryValue | boolean>();
  private readonly exportFailures = new Map<number, Error>();
  private readonly readFailures = new Set<number>();
  private readonly writeFailures = new Set<number>();
  private readonly writeListeners = new Set<(event: FakeGpioEvent) => void>();
  private accessibleFlag = true;

  constructor() {
    this.module = { Gpio: this.makeGpioClass() } as unknown as OnoffModule;
  }

  /** onoff's Gpio.accessible: false when /sys/class/gpio cannot be used. */
  get accessible(): boolean {
    return this.accessibleFlag;
  }

  set accessible(value: boolean) {
    this.accessibleFlag = value;
  }

  /** The state of a line (created on first use, not exported, level 0). */
  line(line: number): FakeLineState {
    let state = this.states.get(line);
    if (!state) {
      state = { line, exported: false, exportCount: 0, direction: null, edge: 'none', activeLow: false, debounceTimeout: 0, level: 0, writes: [], watchers: 0 };
      this.states.set(line, state);
    }
    return state;
  }

  /** Whether the line is asserted (its logical value is 1). */
  isAsserted(line: number): boolean {
    const state = this.line(line);
    return (state.level ^ bit(state.activeLow)) === 1;
  }

  /** The next export of `line` throws an error with this errno code. */
  failExport(line: number, code = 'EBUSY', message = 'Device or resource busy'): void {
    this.exportFailures.set(line, errnoError(code, message));
  }

  /** Reads of the line throw EIO while set. */
  failReads(line: number, failing = true): void {
    if (failing) this.readFailures.add(line);
    else this.readFailures.delete(line);
  }

  /** Writes to the line throw EIO while set. */
  failWrites(line: number, failing = true): void {
    if (failing) this.writeFailures.add(line);
    else this.writeFailures.delete(line);
  }

  /** Sets the physical level on the pin (what the wire shows), firing watchers on a change. */
  setLevel(line: number, level: BinaryValue | boolean): void {
    const state = this.line(line);
    const next = bit(level);
    if (state.level === next) return;
    state.level = next;
    this.handles.get(line)?.fire(bit(next ^ bit(state.activeLow)));
  }

  /** Sets the line's logical value (honours activeLow): true = asserted. */
  setAsserted(line: number, asserted: boolean): void {
    this.setLevel(line, bit(bit(asserted) ^ bit(this.line(line).activeLow)));
  }

  /** Backs the line's physical level with a callback (e.g. a physics model); call refresh() after it changes. */
  setLevelSource(line: number, source: (() => BinaryValue | boolean) | null): void {
    if (source) this.sources.set(line, source);
    else this.sources.delete(line);
    this.refresh(line);
  }

  /** Re-evaluates the level sources (of one line, or all), firing watchers where a level changed. */
  refresh(line?: number): void {
    const lines = line === undefined ? [...this.sources.keys()] : [line];
    for (const each of lines) {
      const source = this.sources.get(each);
      if (source) this.setLevel(each, source());
    }
  }

  /** Hears every write (e.g. to feed an output back into an input, or a physics model). */
  onWrite(listener: (event: FakeGpioEvent) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  private makeGpioClass(): unknown {
    const fake = this;
    return class FakeGpio {
      static readonly HIGH = 1;
      static readonly LOW = 0;

      static get accessible(): boolean {
        return fake.accessibleFlag;
      }

      private readonly state: FakeLineState;
      private watchers: ValueCallback[] = [];

      constructor(gpio: number, direction: Direction, edge?: Edge | Options, options?: Options) {
        if (typeof edge === 'object' && !options) {
          options = edge;
          edge = undefined;
        }
        const failure = fake.exportFailures.get(gpio);
        if (failure) {
          fake.exportFailures.delete(gpio);
          throw failure;
        }
        const state = fake.line(gpio);
        if (fake.handles.has(gpio)) throw errnoError('EBUSY', `gpio${gpio} is already exported by this fake`);
        state.exported = true;
        state.exportCount += 1;
        state.direction = direction;
        state.edge = (edge as Edge | undefined) ?? 'none';
        state.activeLow = options?.activeLow ?? false;
        state.debounceTimeout = options?.debounceTimeout ?? 0;
        if (direction === 'high') state.level = 1;
        else if (direction === 'low' || direction === 'out') state.level = 0;
        const source = fake.sources.get(gpio);
        if (source && direction === 'in') state.level = bit(source());
        this.state = state;
        fake.handles.set(gpio, { fire: (value) => this.fire(value) });
        fake.events.push({ line: gpio, kind: 'export', level: state.level });
      }

      readSync(): BinaryValue {
        this.check();
        if (fake.readFailures.has(this.state.line)) throw errnoError('EIO', `read of gpio${this.state.line} failed`);
        return bit(this.state.level ^ bit(this.state.activeLow));
      }

      read(callback?: ValueCallback): Promise<BinaryValue> | void {
        const run = (): BinaryValue => this.readSync();
        if (!callback) return Promise.resolve().then(run);
        setImmediate(() => {
          try {
            callback(null, run());
          } catch (error) {
            callback(error as Error, 0);
          }
        });
      }

      writeSync(value: BinaryValue): void {
        this.check();
        const { state } = this;
        if (state.direction === 'in') throw errnoError('EPERM', `gpio${state.line} is an input`);
        if (fake.writeFailures.has(state.line)) throw errnoError('EIO', `write to gpio${state.line} failed`);
        state.writes.push(bit(value));
        state.level = bit(bit(value) ^ bit(state.activeLow));
        const event: FakeGpioEvent = { line: state.line, kind: 'write', value: bit(value), level: state.level };
        fake.events.push(event);
        for (const listener of [...fake.writeListeners]) listener(event);
      }

      write(value: BinaryValue, callback?: (error: Error | null | undefined) => void): Promise<void> | void {
        if (!callback) return Promise.resolve().then(() => this.writeSync(value));
        setImmediate(() => {
          try {
            this.writeSync(value);
            callback(null);
          } catch (error) {
            callback(error as Error);
          }
        });
      }

      watch(callback: ValueCallback): void {
        this.check();
        this.watchers.push(callback);
        this.state.watchers = this.watchers.length;
      }

      unwatch(callback?: ValueCallback): void {
        this.watchers = callback ? this.watchers.filter((each) => each !== callback) : [];
        this.state.watchers = this.watchers.length;
      }

      unwatchAll(): void {
        this.unwatch();
      }

      direction(): Direction {
        return this.state.direction ?? 'in';
      }

      setDirection(direction: Direction): void {
        this.state.direction = direction;
      }

      edge(): Edge {
        return this.state.edge;
      }

      setEdge(edge: Edge): void {
        this.state.edge = edge;
      }

      activeLow(): boolean {
        return this.state.activeLow;
      }

      setActiveLow(invert: boolean): void {
        this.state.activeLow = invert;
      }

      unexport(): void {
        this.check();
        this.unwatchAll();
        this.state.exported = false;
        fake.handles.delete(this.state.line);
        fake.events.push({ line: this.state.line, kind: 'unexport', level: this.state.level });
      }

      private check(): void {
        if (!this.state.exported || fake.handles.get(this.state.line) === undefined) {
          throw errnoError('EBADF', `gpio${this.state.line} is not exported`);
        }
      }

      private fire(value: BinaryValue): void {
        const { edge, direction } = this.state;
        if (direction !== 'in') return;
        const wanted = edge === 'both' || (edge === 'rising' && value === 1) || (edge === 'falling' && value === 0);
        if (!wanted) return;
        for (const callback of [...this.watchers]) callback(null, value);
      }
    };
  }
}

export function createFakeOnoff(): FakeOnoff {
  return new FakeOnoff();
}
