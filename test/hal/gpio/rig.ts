// Opens real GPIO drivers on the fake onoff with a virtual clock.

import { VirtualClock } from '../../../hal/clock.js';
import { GpioInput, GpioOutput } from '../../../hal/gpio/gpio-line.js';
import { createFakeOnoff, type FakeOnoff } from '../../support/hardware-fakes/fake-onoff.js';

export interface GpioRig {
  readonly onoff: FakeOnoff;
  readonly clock: VirtualClock;
  output(line: number, activeLow?: boolean): Promise<GpioOutput>;
  input(line: number, debounceMs?: number, activeLow?: boolean): Promise<GpioInput>;
}

export function gpioRig(): GpioRig {
  const onoff = createFakeOnoff();
  const clock = new VirtualClock();
  const deps = { onoff: onoff.module, clock };
  return {
    onoff,
    clock,
    output: (line, activeLow = false) => GpioOutput.open({ line, activeLow }, `output ${line}`, deps),
    input: (line, debounceMs = 0, activeLow = false) => GpioInput.open({ line, activeLow, debounceMs }, `input ${line}`, deps),
  };
}
