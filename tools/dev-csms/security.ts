// Transport and admission of charge points: plain HTTP (profile 0/1) or HTTPS (profiles 2/3) carrying
// the WebSocket upgrade, and the upgrade check (subprotocol, identity, HTTP Basic AuthorizationKey).

import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { IHandshakeInterface } from 'ocpp-rpc/lib/server-client.js';
import type { TlsConfig } from './types.js';

export const SUBPROTOCOL = 'ocpp1.6';

export interface Refusal {
  readonly code: number;
  readonly reason: string;
}

/** A server that only upgrades: every plain HTTP request gets 404. */
export function createTransport(tls: TlsConfig | undefined): Server {
  const notFound = (_req: unknown, res: import('node:http').ServerResponse): void => {
    res.statusCode = 404;
    res.end();
  };
  if (!tls) return createHttpServer(notFound);
  return createHttpsServer(
    {
      cert: tls.cert,
      key: tls.key,
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      // Profile 3: the TLS handshake itself refuses a missing or untrusted client certificate.
      requestCert: tls.requestClientCert === true,
      rejectUnauthorized: tls.requestClientCert === true,
      minVersion: 'TLSv1.2',
    },
    notFound,
  );
}

/**
 * The AuthorizationKey is configured as text (up to 40 hex digits). Charge points differ in what they
 * send as the Basic password: the text itself, or the bytes it encodes. Both are accepted.
 */
export function keyMatches(password: Buffer, authorizationKey: string): boolean {
  const candidates = [Buffer.from(authorizationKey, 'utf8')];
  if (/^([0-9a-fA-F]{2})+$/.test(authorizationKey)) candidates.push(Buffer.from(authorizationKey, 'hex'));
  return candidates.some((key) => key.length === password.length && timingSafeEqual(key, password));
}

/** Why an upgrade is refused, or null to accept it. */
export function checkUpgrade(handshake: IHandshakeInterface, basicAuth: Readonly<Record<string, string>> | undefined): Refusal | null {
  if (!handshake.protocols.has(SUBPROTOCOL)) {
    return { code: 400, reason: `the WebSocket subprotocol must include ${SUBPROTOCOL}` };
  }
  if (handshake.identity === '') {
    return { code: 400, reason: 'the URL must end with the charge point identity' };
  }
  if (basicAuth) {
    const key = Object.hasOwn(basicAuth, handshake.identity) ? basicAuth[handshake.identity] : undefined;
    if (key === undefined) return { code: 401, reason: `unknown charge point ${handshake.identity}` };
    if (!handshake.password) return { code: 401, reason: 'HTTP Basic authorization (identity:AuthorizationKey) required' };
    if (!keyMatches(handshake.password, key)) return { code: 401, reason: 'wrong AuthorizationKey' };
  }
  return null;
}

/** Subject CN of the verified client certificate, if the connection has one. */
export function clientCertificateCn(handshake: IHandshakeInterface): string | undefined {
  const socket = handshake.request.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return Array.isArray(cn) ? cn.join(',') : cn;
}
