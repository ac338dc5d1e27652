// The diagnostics port: a small authenticated JSON API over ChargerApi, for the
// technician CLI and for tests. Documented in the README ("Diagnostics API").

import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ChargerApi } from '../charger-api.js';
import { installBearerAuth } from './auth.js';
import { BODY_LIMIT_BYTES, formatSchemaErrors, installErrorHandling } from './errors.js';
import { registerSimRoutes } from './routes-sim.js';
import { registerStatusRoutes } from './routes-status.js';

export interface DiagnosticsServerOptions {
  readonly api: ChargerApi;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly token: string;
  readonly logger?: Logger;
}

export interface DiagnosticsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export function buildDiagnosticsApp(options: Omit<DiagnosticsServerOptions, 'host' | 'port'>): FastifyInstance {
  const app = Fastify({
    ...(options.logger
      ? { loggerInstance: options.logger.child({ component: 'diagnostics' }) }
      : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    return503OnClosing: true,
    ajv: {
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false, verbose: true },
    },
    schemaErrorFormatter: (errors, dataVar) => formatSchemaErrors(errors, dataVar),
  }) as unknown as FastifyInstance;

  installErrorHandling(app);
  installBearerAuth(app, options.token);
  registerStatusRoutes(app, options.api);
  registerSimRoutes(app, options.api);
  return app;
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
