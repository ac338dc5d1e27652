// Read-only status routes and the technician fault reset.

import type { FastifyInstance } from 'fastify';
import type { ChargerApi } from '../charger-api.js';
import { parseConnectorId, parseLimit, unknownConnector } from './params.js';
import { resetBodySchema } from './schemas.js';

export const FAULT_LOG_LIMIT_MAX = 2000;

export function registerStatusRoutes(app: FastifyInstance, api: ChargerApi): void {
  app.get('/api/v1/status', async () => api.status());

  app.get<{ Params: { id: string } }>('/api/v1/connectors/:id', async (request) => {
    const id = parseConnectorId(request.params.id);
    const connectors = api.status().connectors;
    const connector = connectors.find((c) => c.connectorId === id);
    if (!connector) throw unknownConnector(id, connectors.map((c) => c.connectorId));
    return connector;
  });

  app.get<{ Querystring: { limit?: string } }>('/api/v1/faults', async (request) => {
    const limit = parseLimit(request.query.limit, 1, FAULT_LOG_LIMIT_MAX);
    const log = api.faultLog();
    return { entries: limit === null ? [...log] : log.slice(-limit) };
  });

  app.get('/api/v1/sessions', async () => ({ sessions: [...api.sessions()] }));

  app.post<{ Body: { connectorId?: number | null } | null }>(
    '/api/v1/faults/reset',
    { schema: { body: resetBodySchema } },
    async (request) => {
      const connectorId = request.body?.connectorId ?? null;
      if (connectorId !== null) {
        const known = api.status().connectors.map((c) => c.connectorId);
        if (!known.includes(connectorId)) throw unknownConnector(connectorId, known);
      }
      const cleared = [...api.resetFaults(connectorId)];
      request.log.info({ connectorId, cleared }, 'technician fault reset');
      return { cleared };
    },
  );
}
