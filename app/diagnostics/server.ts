// The diagnostics port: a small authenticated JSON API over ChargerApi, for the
// technician CLI and for tests. Documented in the README ("Diagnostics API").

import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SimulationControl } from '../../hal/sim/simulation-control.js';
import type { ChargerApi } from '../charger-api.js';
import { installBearerAuth } from './auth.js';
import { BODY_LIMIT_BYTES, formatSchemaErrors, installErrorHandling } from './errors.js';
import { resolveLimits, type DiagnosticsLimits } from './limits.js';
import { registerSimRoutes } from './routes-sim.js';
import { registerStatusRoutes } from './routes-status.js';

export interface DiagnosticsServerOptions {
  readonly api: ChargerApi;
  /** Control of the virtual hardware, straight from the board; null on a real board. */
  readonly simulation: SimulationControl | null;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token: string;
  readonly logger?: Logger;
  /** Timeouts and the connection cap; the defaults suit a technician's laptop on the LAN. */
  readonly limits?: Partial<DiagnosticsLimits>;
}

export interface DiagnosticsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** At most one log line per this long about connections refused past the cap. */
const DROP_LOG_INTERVAL_MS = 10_000;

export function buildDiagnosticsApp(options: Omit<DiagnosticsServerOptions, 'host' | 'port'>): FastifyInstance {
  const limits = resolveLimits(options.limits);
  const app = Fastify({
    ...(options.logger
      ? { loggerInstance: options.logger.child({ component: 'diagnostics' }) }
      : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: limits.timeoutCheckIntervalMs },
    forceCloseConnections: true,
    return503OnClosing: true,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, verbose: true },
    },
    schemaErrorFormatter: (errors, dataVar) => formatSchemaErrors(errors, dataVar),
  }) as unknown as FastifyInstance;

  capConnections(app, limits.maxConnections);
  installErrorHandling(app);
  installBearerAuth(app, options.token);
  registerStatusRoutes(app, options.api);
  registerSimRoutes(app, options.simulation);
  return app;
}

/** Node closes a connection past the cap as soon as it is accepted; the log says so, sparingly. */
function capConnections(app: FastifyInstance, maxConnections: number): void {
  app.server.maxConnections = maxConnections;
  let refused = 0;
  let loggedAt = -Infinity;
  app.server.on('drop', () => {
    refused += 1;
    const now = Date.now();
    if (now - loggedAt < DROP_LOG_INTERVAL_MS) return;
    app.log.warn({ refused, maxConnections }, 'diagnostics connections refused: too many open at once');
    refused = 0;
    loggedAt = now;
  });
}

export async function startDiagnosticsServer(options: DiagnosticsServerOptions): Promise<DiagnosticsServer> {
  const app = buildDiagnosticsApp(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close: () => (closing ??= app.close()),
  };
}
