import { strict as assert } from 'node:assert';
import { OutputWriteError } from '../../../hal/interfaces.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HardwareUnavailableError } from '../../../hal/hardware-packages.js';
import { SysfsPwm } from '../../../hal/pwm/sysfs-pwm.js';
import { createFakePwmSysfs, type FakePwmSysfs } from '../../support/hardware-fakes/fake-pwm-sysfs.js';

describe('sysfs PWM', () => {
  let sysfs: FakePwmSysfs;
  afterEach(() => sysfs?.dispose());

  it('exports the channel, sets a 1 kHz period in ns, starts at 0 % and enables', async () => {
    sysfs = createFakePwmSysfs();
    const pwm = await SysfsPwm.open({ chip: 0, channel: 0, frequencyHz: 1000 }, 'control pilot PWM (connector 1)', sysfs.root);
    assert.equal(pwm.path, sysfs.channelPath(0, 0));
    assert.equal(sysfs.read(0, 0, 'period'), '1000000');
    assert.equal(sysfs.read(0, 0, 'duty_cycle'), '0');
    assert.equal(sysfs.read(0, 0, 'enable'), '1');
    assert.equal(sysfs.read(0, 0, 'polarity'), 'normal');
    await pwm.close();
  });

  it('writes the duty cycle in ns at once (synchronously)', async () => {
    sysfs = createFakePwmSysfs();
    const pwm = await SysfsPwm.open({ chip: 0, channel: 1, frequencyHz: 1000 }, 'pilot', sysfs.root);
    const cases: [number, string][] = [[53.3, '533000'], [100, '1000000'], [10, '100000'], [0, '0'], [5, '50000']];
    for (const [percent, ns] of cases) {
      pwm.setDutyPercent(percent);
      assert.equal(sysfs.read(0, 1, 'duty_cycle'), ns, `${percent} %`);
      assert.equal(pwm.dutyPercent, percent);
    }
    assert.throws(() => pwm.setDutyPercent(101), RangeError);
    assert.throws(() => pwm.setDutyPercent(Number.NaN), RangeError);
    await pwm.close();
  });

  it('resets an inverted polarity left by an earlier user', async () => {
    sysfs = createFakePwmSysfs({ polarity: 'inversed' });
    const pwm = await SysfsPwm.open({ chip: 0, channel: 0, frequencyHz: 1000 }, 'pilot', sysfs.root);
    assert.equal(sysfs.read(0, 0, 'polarity'), 'normal');
    await pwm.close();
  });

  it('reuses a channel already exported', async () => {
    sysfs = createFakePwmSysfs();
    const path = sysfs.channelPath(0, 0);
    mkdirSync(path);
    for (const [file, value] of [['period', '500000'], ['duty_cycle', '250000'], ['enable', '1']]) writeFileSync(join(path, file!), value!);
    const pwm = await SysfsPwm.open({ chip: 0, channel: 0, frequencyHz: 1000 }, 'pilot', sysfs.root);
    assert.equal(sysfs.read(0, 0, 'period'), '1000000');
    assert.equal(sysfs.read(0, 0, 'duty_cycle'), '0');
    await pwm.close();
  });

  it('close leaves the output low, disables and unexports; later writes are ignored', async () => {
    sysfs = createFakePwmSysfs();
    const pwm = await SysfsPwm.open({ chip: 0, channel: 0, frequencyHz: 1000 }, 'pilot', sysfs.root);
    pwm.setDutyPercent(100);
    await pwm.close();
    await pwm.close();
    pwm.setDutyPercent(50);
    assert.equal(pwm.writeErrors, 0);
    // The fake kernel removes the channel directory when it sees the unexport.
    for (let i = 0; i < 200 && sysfs.read(0, 0, 'enable') !== null; i += 1) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sysfs.read(0, 0, 'enable'), null);
  });

  it('a failed write throws OutputWriteError (the pilot is a safety output) and is counted', async () => {
    sysfs = createFakePwmSysfs();
    const pwm = await SysfsPwm.open({ chip: 0, channel: 0, frequencyHz: 1000 }, 'pilot', sysfs.root);
    sysfs.dispose(); // the channel vanishes under the driver
    assert.throws(() => pwm.setDutyPercent(50), (error: unknown) =>
      error instanceof OutputWriteError && error.device === 'pilot' && error.path === pwm.dutyCycleFile);
    assert.equal(pwm.writeErrors, 1);
    await pwm.close();
  });

  describe('refusals', () => {
    async function refusal(open: () => Promise<unknown>): Promise<HardwareUnavailableError> {
      try {
        await open();
      } catch (error) {
        assert.ok(error instanceof HardwareUnavailableError, `expected HardwareUnavailableError, got ${String(error)}`);
        return error;
      }
      assert.fail('expected the open to fail');
    }

    it('a missing chip names the device, the chip path and the reason', async () => {
      sysfs = createFakePwmSysfs();
      const error = await refusal(() => SysfsPwm.open({ chip: 3, channel: 0, frequencyHz: 1000 }, 'control pilot PWM (connector 2)', sysfs.root));
      assert.equal(error.device, 'control pilot PWM (connector 2)');
      assert.equal(error.path, join(sysfs.root, 'pwmchip3'));
      assert.match(error.message, /^cannot open control pilot PWM \(connector 2\) at .*pwmchip3: no such PWM chip/);
    });

    it('the default root is /sys/class/pwm', async function () {
      const error = await refusal(() => SysfsPwm.open({ chip: 97, channel: 0, frequencyHz: 1000 }, 'pilot'));
      assert.equal(error.path, '/sys/class/pwm/pwmchip97');
    });

    it('a channel the chip does not have', async () => {
      sysfs = createFakePwmSysfs({ channelsPerChip: 2 });
      const error = await refusal(() => SysfsPwm.open({ chip: 0, channel: 2, frequencyHz: 1000 }, 'pilot', sysfs.root));
      assert.match(error.reason, /pwmchip0 has 2 channel\(s\): no channel 2/);
    });

    it('a channel that never appears after export', async () => {
      sysfs = createFakePwmSysfs({ chips: [] });
      const chip = join(sysfs.root, 'pwmchip0');
      mkdirSync(chip);
      writeFileSync(join(chip, 'export'), ''); // no kernel behind it
      const error = await refusal(() => SysfsPwm.open({ chip: 0, channel: 0, frequencyHz: 1000 }, 'pilot', sysfs.root));
      assert.match(error.reason, /channel 0 did not appear within 1000 ms of its export/);
    });

    it('bad options are refused before any write', async () => {
      sysfs = createFakePwmSysfs();
      await assert.rejects(SysfsPwm.open({ chip: 0, channel: 0, frequencyHz: 0 }, 'pilot', sysfs.root), RangeError);
      await assert.rejects(SysfsPwm.open({ chip: 0, channel: -1, frequencyHz: 1000 }, 'pilot', sysfs.root), RangeError);
    });
  });
});
