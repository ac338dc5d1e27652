// A pair of connected pseudo-terminals made by socat: what one end writes, the other reads, as
// over a null-modem cable. Drivers open one end, a device simulator the other. Closing the pair
// (killing socat) makes both nodes disappear: that is how tests unplug a device. Opened again
// with the same link paths, the device "comes back" at the same path.
//
// socat is a Debian package (`apt-get install socat`); `make test` installs it. Without it this
// fails with a message saying so: the serial tests must not pass by skipping.
//
// Pseudo-terminals ignore the baud rate (bytes arrive at once); the device simulators emulate
// line timing themselves where it matters.

import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** The first end: its link path when one was asked for, else /dev/pts/N. */
  readonly a: string;
  readonly b: string;
  /** Kills socat; both ends go away. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** Symlink socat creates to the first end (removed when it exits). */
  readonly linkA?: string;
  readonly linkB?: string;
  /** How long socat may take to set up. Default 5000 ms. */
  readonly timeoutMs?: number;
}

export const SOCAT_MISSING_MESSAGE =
  'socat is not installed: the serial driver tests and benchmarks run over pseudo-terminal pairs made by socat. ' +
  'Install it (apt-get install socat); `make test` does this on a fresh machine.';

function endpoint(link: string | undefined): string {
  return `pty,raw,echo=0${link ? `,link=${link}` : ''}`;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export function openPtyPair(options: PtyPairOptions = {}): Promise<PtyPair> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('socat', ['-d', '-d', endpoint(options.linkA), endpoint(options.linkB)], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      reject(new Error(`${SOCAT_MISSING_MESSAGE} (${(error as Error).message})`));
      return;
    }
    let stderr = '';
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`socat did not set up a pty pair within ${timeoutMs} ms: ${stderr.trim()}`)), timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      fail(error.code === 'ENOENT' ? new Error(SOCAT_MISSING_MESSAGE) : error);
    });
    child.once('exit', (code, signal) => fail(new Error(`socat exited (${signal ?? code}) before the pty pair was ready: ${stderr.trim()}`)));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      if (settled || !/starting data transfer loop/.test(stderr)) return;
      const ptys = [...stderr.matchAll(/PTY is (\/dev\/pts\/\d+)/g)].map((m) => m[1]!);
      if (ptys.length < 2) {
        fail(new Error(`could not find the two pty paths in socat's output: ${stderr.trim()}`));
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stderr!.removeAllListeners('data');
      child.stderr!.resume();
      resolve({
        a: options.linkA ?? ptys[0]!,
        b: options.linkB ?? ptys[1]!,
        close: async () => {
          const exited = waitForExit(child);
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
