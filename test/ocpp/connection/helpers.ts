// Test harness for OcppConnection against the real dev CSMS: configuration stores in temp dirs, a
// log spy, condition waits with a deadline (no fixed sleeps), and cleanup of everything a test made.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationStore } from '../../../app/ocpp/configuration/configuration-store.js';
import { OcppConnection, type OcppConnectionOptions } from '../../../app/ocpp/connection/ocpp-connection.js';
import { DevCsms } from '../../../tools/dev-csms/csms.js';
import type { DevCsmsOptions } from '../../../tools/dev-csms/types.js';

export const KEY = '00112233445566778899AABBCCDDEEFF';
export const FAST_BACKOFF = { initialMs: 20, maxMs: 100 };

export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

/** Polls `predicate` until it holds; fails with `what` after the deadline. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export class LogSpy {
  readonly lines: LogLine[] = [];
  readonly log = (level: LogLine['level'], message: string, fields?: Record<string, unknown>): void => {
    this.lines.push(fields ? { level, message, fields } : { level, message });
  };

  matching(pattern: RegExp): LogLine[] {
    return this.lines.filter((l) => pattern.test(l.message));
  }

  /** Resolves with the matching lines once there are at least `count`. */
  async waitFor(pattern: RegExp, count = 1, timeoutMs = 5000): Promise<LogLine[]> {
    await until(() => this.matching(pattern).length >= count, `${count} log line(s) matching ${pattern}; got:\n${this.dump()}`, timeoutMs);
    return this.matching(pattern);
  }

  dump(): string {
    return this.lines.map((l) => `  [${l.level}] ${l.message}`).join('\n');
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class Harness {
  private readonly csmss: DevCsms[] = [];
  private readonly connections: OcppConnection[] = [];
  private readonly dirs: string[] = [];

  async csms(options: Partial<DevCsmsOptions> = {}): Promise<DevCsms> {
    const csms = await DevCsms.start({ host: '127.0.0.1', port: 0, pingIntervalMs: 0, ...options });
    this.csmss.push(csms);
    return csms;
  }

  async store(initial: Record<string, string> = {}): Promise<ConfigurationStore> {
    const dir = await mkdtemp(join(tmpdir(), 'ocpp-connection-test-'));
    this.dirs.push(dir);
    return ConfigurationStore.open(dir, { numberOfConnectors: 1, initial, securityProfilePrerequisites: () => true, report: () => undefined });
  }

  /** A started connection (not yet necessarily connected). */
  async connection(
    csmsUrl: string,
    chargePointId: string,
    options: Partial<Omit<OcppConnectionOptions, 'configuration'>> & { config?: Record<string, string>; configuration?: ConfigurationStore } = {},
  ): Promise<{ connection: OcppConnection; logs: LogSpy; configuration: ConfigurationStore }> {
    const logs = new LogSpy();
    const configuration = options.configuration ?? (await this.store({ WebSocketPingInterval: '0', ...options.config }));
    const { config: _config, ...rest } = options;
    const connection = new OcppConnection({ csmsUrl, chargePointId, backoff: FAST_BACKOFF, log: logs.log, ...rest, configuration });
    this.connections.push(connection);
    connection.start();
    return { connection, logs, configuration };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.connections.splice(0).map((c) => c.stop()));
    await Promise.all(this.csmss.splice(0).map((s) => s.close()));
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
