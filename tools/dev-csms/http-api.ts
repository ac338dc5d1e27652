// The developer's HTTP API over a DevCsms. Every answer is JSON; errors are { error, message }
// (a CALLERROR from the charge point: 502 { error: 'call-error', errorCode, message, errorDetails }).

import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { CallFailure, type CallFailureKind, type DevCsms } from './csms.js';
import type { BootResponseConfig, MessageFilter, TagConfig } from './types.js';

export interface HttpApiOptions {
  readonly csms: DevCsms;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly logger?: Logger;
}

export interface HttpApi {
  readonly url: string;
  close(): Promise<void>;
}

const FAILURE_STATUS: Record<CallFailureKind, number> = {
  'not-connected': 404,
  'invalid-request': 400,
  'call-error': 502,
  'invalid-response': 502,
  timeout: 504,
  disconnected: 502,
};

const MESSAGE_TYPES = ['CALL', 'CALLRESULT', 'CALLERROR', 'INVALID'];
const BOOT_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'interval'],
  properties: { status: { enum: ['Accepted', 'Pending', 'Rejected'] }, interval: { type: 'integer', minimum: 0 } },
};
const TAG_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: {
    status: { enum: ['Accepted', 'Blocked', 'Expired', 'Invalid'] },
    parentIdTag: { type: 'string', minLength: 1, maxLength: 20 },
    expiryDate: { type: 'string', format: 'date-time' },
  },
};
const CALL_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['action'],
  properties: {
    action: { type: 'string', minLength: 1 },
    payload: {},
    timeoutMs: { type: 'integer', minimum: 1 },
    unchecked: { type: 'boolean' },
  },
};
const ID_TAG_PARAMS = { type: 'object', properties: { idTag: { type: 'string', minLength: 1, maxLength: 20 } } };
const MESSAGES_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    chargePointId: { type: 'string' },
    action: { type: 'string' },
    direction: { enum: ['in', 'out'] },
    messageType: { enum: MESSAGE_TYPES },
    afterSeq: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
  },
};

function sendError(reply: { code(n: number): { send(body: unknown): unknown } }, status: number, error: string, message: string): unknown {
  return reply.code(status).send({ error, message });
}

export function buildHttpApi(csms: DevCsms, logger?: Logger): FastifyInstance {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger.child({ component: 'dev-csms-http' }) } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false, allErrors: false } },
  }) as unknown as FastifyInstance;

  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not-found', `no route ${request.method} ${request.url}`));
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof CallFailure) {
      const body = { error: error.kind, message: error.message, errorCode: error.errorCode, errorDetails: error.errorDetails };
      return reply.code(FAILURE_STATUS[error.kind]).send(body);
    }
    if (error.validation) return sendError(reply, 400, 'invalid-request', error.message);
    const status = error.statusCode ?? 500;
    if (status < 500) return sendError(reply, status, error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'invalid-json' : 'bad-request', error.message);
    app.log.error({ err: error }, 'internal error');
    return sendError(reply, 500, 'internal', error.message);
  });

  app.get('/charge-points', async () => csms.chargePoints());

  app.get<{ Querystring: MessageFilter }>('/messages', { schema: { querystring: MESSAGES_QUERY } }, async (request) =>
    csms.messages(request.query));

  app.post<{ Params: { id: string }; Body: { action: string; payload?: unknown; timeoutMs?: number; unchecked?: boolean } }>(
    '/charge-points/:id/call',
    { schema: { body: CALL_BODY } },
    async (request) => {
      const { action, payload = {}, timeoutMs, unchecked } = request.body;
      const result = await csms.call(request.params.id, action, payload, {
        ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(unchecked !== undefined ? { unchecked } : {}),
      });
      return result ?? null;
    },
  );

  app.post<{ Params: { id: string }; Body: { frame: string } }>(
    '/charge-points/:id/raw',
    { schema: { body: { type: 'object', additionalProperties: false, required: ['frame'], properties: { frame: { type: 'string' } } } } },
    async (request) => {
      csms.sendRaw(request.params.id, request.body.frame);
      return { sent: true };
    },
  );

  app.post<{ Params: { id: string } }>('/charge-points/:id/drop', async (request) => {
    await csms.drop(request.params.id);
    return { dropped: true };
  });

  app.get('/boot-response', async () => csms.state.bootResponse);
  app.put<{ Body: BootResponseConfig }>('/boot-response', { schema: { body: BOOT_BODY } }, async (request) => {
    csms.setBootResponse(request.body);
    return csms.state.bootResponse;
  });

  app.get('/tags', async () => csms.state.listTags());
  app.put<{ Params: { idTag: string }; Body: TagConfig }>('/tags/:idTag', { schema: { params: ID_TAG_PARAMS, body: TAG_BODY } }, async (request) => {
    csms.setTag(request.params.idTag, request.body);
    return { idTag: request.params.idTag, ...request.body };
  });
  app.delete<{ Params: { idTag: string } }>('/tags/:idTag', async (request, reply) => {
    if (!csms.state.deleteTag(request.params.idTag)) return sendError(reply, 404, 'not-found', `unknown tag ${request.params.idTag}`);
    return { deleted: request.params.idTag };
  });

  return app;
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const app = buildHttpApi(options.csms, options.logger);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | null = null;
  return { url: `http://${host}:${port}`, close: () => (closing ??= app.close()) };
}
