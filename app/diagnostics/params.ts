// Path and query parameters, parsed by hand so that the messages say what was expected.

import { ApiError } from './errors.js';

const MAX_CONNECTOR_ID = 1_000_000;

export function parseConnectorId(raw: string | undefined): number {
  if (raw === undefined || !/^[0-9]{1,7}$/.test(raw) || Number(raw) > MAX_CONNECTOR_ID) {
    throw new ApiError(400, 'bad-request', `the connector id must be a whole number, got "${raw ?? ''}"`);
  }
  return Number(raw);
}

export function parseLimit(raw: unknown, min: number, max: number): number | null {
  if (raw === undefined) return null;
  const text = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (typeof text !== 'string' || !/^[0-9]{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ApiError(400, 'bad-request', `limit must be a whole number from ${min} to ${max}, got "${String(text)}"`);
  }
  return Number(text);
}

export function unknownConnector(id: number, known: readonly number[]): ApiError {
  const list = known.length > 0 ? known.join(', ') : 'none';
  return new ApiError(404, 'not-found', `no connector ${id} (this charger has: ${list})`);
}
