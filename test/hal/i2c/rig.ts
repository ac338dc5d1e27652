// The analog front end of a board on fakes: an ADS1115 on a fake bus, a PWM on a fake sysfs tree.

import { VirtualClock } from '../../../hal/clock.js';
import { Ads1115 } from '../../../hal/i2c/ads1115.js';
import { SysfsPwm } from '../../../hal/pwm/sysfs-pwm.js';
import { FakeAds1115, FakeI2cBus } from '../../support/hardware-fakes/fake-i2c-bus.js';
import { createFakePwmSysfs, type FakePwmSysfs } from '../../support/hardware-fakes/fake-pwm-sysfs.js';

export const ADC_ADDRESS = 0x48;

/** The board's CP divider: −12…+12 V on the line → 0…3.3 V at the ADC. */
export const CP_SCALE = 24 / 3.3;
export const CP_OFFSET_V = -12;
export const cpToAdc = (cpV: number): number => (cpV - CP_OFFSET_V) / CP_SCALE;

export interface AnalogRig {
  readonly clock: VirtualClock;
  readonly bus: FakeI2cBus;
  readonly chip: FakeAds1115;
  readonly adc: Ads1115;
  readonly sysfs: FakePwmSysfs;
  readonly pwm: SysfsPwm;
  /** The duty written to sysfs, in percent. */
  dutyPercent(): number;
  dispose(): Promise<void>;
}

export async function analogRig(): Promise<AnalogRig> {
  const clock = new VirtualClock();
  const bus = new FakeI2cBus(1);
  const chip = bus.attach(ADC_ADDRESS, new FakeAds1115());
  const adc = new Ads1115(bus, ADC_ADDRESS);
  const sysfs = createFakePwmSysfs();
  const pwm = await SysfsPwm.open({ chip: 0, channel: 0, frequencyHz: 1000 }, 'control pilot PWM', sysfs.root);
  return {
    clock,
    bus,
    chip,
    adc,
    sysfs,
    pwm,
    dutyPercent: () => (Number(sysfs.read(0, 0, 'duty_cycle')) / pwm.periodNs) * 100,
    dispose: async () => {
      await pwm.close();
      sysfs.dispose();
    },
  };
}
