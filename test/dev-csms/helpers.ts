// Test harness: a DevCsms on a free port and ocpp-rpc RPCClients standing in for charge points
// (strict mode, ocpp1.6, no reconnect). cleanup() closes everything a test opened.

import ocppRpc from 'ocpp-rpc';
import { DevCsms } from '../../tools/dev-csms/csms.js';
import type { DevCsmsOptions } from '../../tools/dev-csms/types.js';

const { RPCClient } = ocppRpc;
export type ChargePointClient = InstanceType<typeof RPCClient>;

export const BOOT = { chargePointVendor: 'Test', chargePointModel: 'Stand-in' };

export interface ClientOptions {
  readonly password?: string | Buffer;
  readonly wsOpts?: Record<string, unknown>;
  readonly protocols?: string[];
  readonly strictMode?: boolean;
}

export class Harness {
  private readonly servers: DevCsms[] = [];
  private readonly clients: ChargePointClient[] = [];

  async csms(options: Partial<DevCsmsOptions> = {}): Promise<DevCsms> {
    const csms = await DevCsms.start({ host: '127.0.0.1', port: 0, ...options });
    this.servers.push(csms);
    return csms;
  }

  client(url: string, identity: string, options: ClientOptions = {}): ChargePointClient {
    const protocols = options.protocols ?? ['ocpp1.6'];
    const client = new RPCClient({
      endpoint: url,
      identity,
      protocols,
      strictMode: (options.strictMode ?? true) && protocols.length > 0,
      reconnect: false,
      callTimeoutMs: 5000,
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.wsOpts ? { wsOpts: options.wsOpts } : {}),
    } as ConstructorParameters<typeof RPCClient>[0]);
    this.clients.push(client);
    return client;
  }

  /** A connected stand-in charge point, already seen by the CSMS. */
  async connect(csms: DevCsms, identity: string, options: ClientOptions = {}): Promise<ChargePointClient> {
    const client = this.client(csms.url, identity, options);
    await client.connect();
    await csms.waitForConnection(identity);
    return client;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close({ force: true }).catch(() => undefined)));
    await Promise.all(this.servers.splice(0).map((s) => s.close()));
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
