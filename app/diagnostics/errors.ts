// Every error the diagnostics API answers is JSON: { "error": code, "message": text }.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type ApiErrorCode =
  | 'unauthorized'
  | 'not-found'
  | 'bad-request'
  | 'invalid-json'
  | 'invalid-body'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'not-simulated'
  | 'rejected'
  | 'internal';

export interface ApiErrorBody {
  readonly error: ApiErrorCode;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const BODY_LIMIT_BYTES = 64 * 1024;

/** One validation error as ajv reports it (the part we use). */
interface ValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  /** Present with ajv's verbose option. */
  readonly parentSchema?: { readonly description?: string };
}

/** "/ev/socPercent" → "body.ev.socPercent"; "/voltages/1" → "body.voltages[1]". */
function fieldName(dataVar: string, instancePath: string): string {
  let name = dataVar;
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    name += /^[0-9]+$/.test(key) ? `[${key}]` : `.${key}`;
  }
  return name;
}

function describeIssue(issue: ValidationIssue, dataVar: string): string {
  const field = fieldName(dataVar, issue.instancePath);
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return `${fieldName(dataVar, `${issue.instancePath}/${String(p.missingProperty)}`)} is required`;
    case 'additionalProperties':
      return `${field} has an unknown field "${String(p.additionalProperty)}"`;
    case 'enum':
      return `${field} must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type': {
      const types = Array.isArray(p.type) ? p.type.join(' or ') : String(p.type);
      return issue.instancePath === '' && dataVar === 'body'
        ? `the body must be a JSON ${types}`
        : `${field} must be ${/^[aeiou]/.test(types) ? 'an' : 'a'} ${types}`;
    }
    case 'minProperties':
      return `${field} must name at least ${String(p.limit)} field(s)`;
    case 'pattern':
      return `${field} must be ${issue.parentSchema?.description ?? `a string matching ${String(p.pattern)}`}`;
    case 'minItems':
    case 'maxItems':
      return `${field} must have ${issue.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} items`;
    default:
      return `${field} ${issue.message ?? 'is invalid'}`;
  }
}

/** fastify's schemaErrorFormatter: a message that names the field and what it allows. */
export function formatSchemaErrors(errors: readonly ValidationIssue[], dataVar: string): Error {
  const first = errors[0];
  const message = first ? describeIssue(first, dataVar) : `${dataVar} is invalid`;
  return new ApiError(400, 'invalid-body', message);
}

function send(reply: FastifyReply, statusCode: number, body: ApiErrorBody): void {
  void reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) {
      if (err.statusCode === 401) void reply.header('WWW-Authenticate', 'Bearer');
      send(reply, err.statusCode, { error: err.code, message: err.message });
      return;
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      send(reply, 400, { error: 'invalid-body', message: fe.message });
      return;
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        send(reply, 413, { error: 'payload-too-large', message: `the request body is larger than ${BODY_LIMIT_BYTES} bytes` });
        return;
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        send(reply, 415, { error: 'unsupported-media-type', message: 'send the body as JSON with Content-Type: application/json' });
        return;
    }
    const status = fe.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      send(reply, status, { error: 'bad-request', message: fe.message });
      return;
    }
    request.log.error({ err }, 'diagnostics request failed');
    send(reply, 500, { error: 'internal', message: 'internal error; see the charger log' });
  });

  app.setNotFoundHandler((request, reply) => {
    send(reply, 404, { error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  // JSON bodies only (other types get 415): an empty body counts as none, and a
  // malformed one is named precisely.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      const parsed: unknown = JSON.parse(text, (key, value: unknown) => {
        if (key === '__proto__') throw new SyntaxError('the key "__proto__" is not allowed');
        return value;
      });
      done(null, parsed);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      done(new ApiError(400, 'invalid-json', `malformed JSON body: ${reason}`), undefined);
    }
  });
}
