import { strict as assert } from 'node:assert';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Listeners } from '../../hal/listeners.js';
import { catchUncaught, type UncaughtCatcher } from '../support/uncaught.js';

describe('the HAL listener set (hal/listeners.ts)', () => {
  let uncaught: UncaughtCatcher;
  beforeEach(() => {
    uncaught = catchUncaught();
  });
  afterEach(() => uncaught.restore());

  it('tells every listener in subscription order, even after one throws, and emit returns normally', async () => {
    const listeners = new Listeners<number>();
    const seen: string[] = [];
    listeners.subscribe((v) => seen.push(`first ${v}`));
    listeners.subscribe(() => {
      throw new Error('listener bug');
    });
    listeners.subscribe((v) => seen.push(`third ${v}`));
    assert.doesNotThrow(() => listeners.emit(1));
    assert.deepEqual(seen, ['first 1', 'third 1']);
    await nextTurn();
  });

  it('does not swallow the error: once every listener has run, each error reaches the process uncaught (the fail-safe path)', async () => {
    const listeners = new Listeners<string>();
    const first = new Error('bug 1');
    const second = new TypeError('bug 2');
    const order: string[] = [];
    listeners.subscribe(() => {
      order.push('a');
      throw first;
    });
    listeners.subscribe(() => {
      order.push('b');
      throw second;
    });
    listeners.subscribe(() => order.push('c'));
    listeners.emit('x');
    assert.deepEqual(order, ['a', 'b', 'c']);
    await nextTurn();
    assert.deepEqual(uncaught.errors, [first, second]);
  });

  it('the same function subscribed twice is told twice; each unsubscribe ends only its own subscription', () => {
    const listeners = new Listeners<number>();
    const seen: number[] = [];
    const listener = (v: number): void => {
      seen.push(v);
    };
    const off1 = listeners.subscribe(listener);
    listeners.subscribe(listener);
    listeners.emit(1);
    off1();
    off1();
    listeners.emit(2);
    assert.deepEqual(seen, [1, 1, 2]);
  });

  it('a listener unsubscribed during an emit is still told of that one, not of the next', () => {
    const listeners = new Listeners<number>();
    const seen: string[] = [];
    let offB = (): void => {};
    listeners.subscribe((v) => {
      seen.push(`a${v}`);
      offB();
    });
    offB = listeners.subscribe((v) => seen.push(`b${v}`));
    listeners.emit(1);
    listeners.emit(2);
    assert.deepEqual(seen, ['a1', 'b1', 'a2']);
  });
});
