// One readable line for a failed connect attempt, with a hint at the usual cause, for the log line
// "OCPP connection failed: <this>; retrying in 4.2 s".

/** The peer's certificate did not chain to our CA (A00.FR.307/309). */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
]);

const HTTP_HINTS: Record<number, string> = {
  400: 'refused the upgrade request',
  401: 'wrong or missing AuthorizationKey?',
  403: 'charge point not allowed?',
  404: 'charge point id unknown to the CSMS? OCPP-J §3.2',
};

function httpStatus(error: Record<string, unknown>): number | undefined {
  // ocpp-rpc's UnexpectedHttpResponse carries the status as `code` and the response.
  const response = error['response'] as { statusCode?: unknown } | undefined;
  const status = typeof error['code'] === 'number' ? error['code'] : response?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function describeConnectFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & Record<string, unknown>;
  const status = httpStatus(e);
  if (status !== undefined) {
    const hint = HTTP_HINTS[status];
    return `HTTP ${status}${e.message ? ` ${e.message}` : ''}${hint ? ` (${hint})` : ''}`;
  }
  const code = typeof e['code'] === 'string' ? e['code'] : '';
  // OpenSSL errors carry a multi-line message; `reason` is its readable part.
  const message = typeof e['reason'] === 'string' && e['reason'] ? e['reason'] : (e.message.split('\n')[0] ?? '');
  if (UNTRUSTED.has(code)) return `TLS: ${message} (wrong CA?)`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS: ${message} (the certificate is not for this host, A00.FR.308)`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `TLS: ${message} (check the clock?)`;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /alert/i.test(message)) {
    if (/certificate required/i.test(message)) return `TLS: ${message} (the CSMS wants a client certificate: SecurityProfile 3)`;
    if (/unknown ca|bad certificate|certificate unknown/i.test(message)) return `TLS: ${message} (the CSMS does not trust our client certificate?)`;
    if (/wrong version|protocol version/i.test(message)) return `TLS: ${message} (not a TLS ≥1.2 server?)`;
    return `TLS: ${message}`;
  }
  if (code === 'ECONNREFUSED') return `connection refused by ${String(e['address'] ?? '')}:${String(e['port'] ?? '')} (CSMS down?)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${String(e['hostname'] ?? e.message)})`;
  if (code === 'ECONNRESET') return `connection reset during the handshake${e.message ? ` (${message})` : ''}`;
  if (/subprotocol/i.test(message)) return `${message} (the CSMS does not speak ocpp1.6?)`;
  return code ? `${message} (${code})` : e.message;
}
