// A directory tree shaped like /sys/class/pwm for SysfsPwm tests: pwmchipN/ with `npwm`,
// `export` and `unexport`. Like the kernel, writing a channel number to `export` makes pwmM/
// appear (period, duty_cycle, enable, polarity), and `unexport` removes it. The "kernel" is a
// file watcher, so the channel appears shortly after the write, as it may on a real board while
// udev sets permissions.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakePwmSysfs {
  /** Pass as SysfsPwm.open's root. */
  readonly root: string;
  /** The channel directory. */
  channelPath(chip: number, channel: number): string;
  /** An attribute's content, trimmed; null when the file does not exist. */
  read(chip: number, channel: number, attribute: string): string | null;
  /** Removes the tree and stops the watchers. */
  dispose(): void;
}

export function createFakePwmSysfs(options: { chips?: readonly number[]; channelsPerChip?: number; polarity?: 'normal' | 'inversed' } = {}): FakePwmSysfs {
  const root = mkdtempSync(join(tmpdir(), 'fake-sysfs-pwm-'));
  const channels = options.channelsPerChip ?? 2;
  const watchers: FSWatcher[] = [];
  const channelPath = (chip: number, channel: number): string => join(root, `pwmchip${chip}`, `pwm${channel}`);

  for (const chip of options.chips ?? [0]) {
    const chipPath = join(root, `pwmchip${chip}`);
    mkdirSync(chipPath);
    writeFileSync(join(chipPath, 'npwm'), `${channels}\n`);
    for (const name of ['export', 'unexport']) {
      const file = join(chipPath, name);
      writeFileSync(file, '');
      watchers.push(
        watch(file, () => {
          const text = readFileSync(file, 'utf8').trim();
          if (text === '') return;
          const channel = Number(text);
          if (!(Number.isInteger(channel) && channel >= 0 && channel < channels)) return;
          const path = channelPath(chip, channel);
          if (name === 'export' && !existsSync(path)) {
            mkdirSync(path);
            writeFileSync(join(path, 'period'), '0\n');
            writeFileSync(join(path, 'duty_cycle'), '0\n');
            writeFileSync(join(path, 'polarity'), `${options.polarity ?? 'normal'}\n`);
            writeFileSync(join(path, 'enable'), '0\n'); // last: its presence means the channel is ready
          } else if (name === 'unexport') {
            rmSync(path, { recursive: true, force: true });
          }
        }),
      );
    }
  }

  return {
    root,
    channelPath,
    read(chip, channel, attribute) {
      const file = join(channelPath(chip, channel), attribute);
      return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
    },
    dispose() {
      for (const watcher of watchers) watcher.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
