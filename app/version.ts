// The firmware's version, as package.json has it (reported in BootNotification.firmwareVersion).

import { readFileSync } from 'node:fs';

export function firmwareVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
