// Bearer-token check on every request, before any body is read or handler runs.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

/** Constant-time comparison: both sides are hashed to equal-length digests first. */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}

export function installBearerAuth(app: FastifyInstance, token: string): void {
  if (token.trim() === '') throw new Error('the diagnostics API needs a non-empty token');
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === '') {
      throw new ApiError(401, 'unauthorized', 'send Authorization: Bearer <token>');
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      throw new ApiError(401, 'unauthorized', 'the Authorization header must be "Bearer <token>"');
    }
    if (!tokensEqual(match[1]!, token)) {
      request.log.warn({ remote: request.ip }, 'diagnostics request with a wrong token');
      throw new ApiError(401, 'unauthorized', 'wrong token');
    }
  });
}
