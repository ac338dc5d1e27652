#!/usr/bin/env node
// Command line over the dev CSMS HTTP API. Exit codes: 0 ok, 1 failure, 2 usage error.

import { parseArgs } from 'node:util';
import type { RecordedMessage } from './types.js';

const DEFAULT_URL = 'http://127.0.0.1:9001';
const USAGE = `Usage: node dist/tools/dev-csms/cli.js [--url ${DEFAULT_URL}] [--json] COMMAND
  charge-points                                     connected charge points
  call CP-ID ACTION ['{json payload}'] [--timeout MS] [--unchecked]
                                                    send a command, print the answer
  messages [--cp ID] [--action A] [--limit N]       recorded messages, oldest first
  boot-response Accepted|Pending|Rejected [--interval S]
  tag ID Accepted|Blocked|Expired|Invalid [--parent ID] [--expiry ISO-DATE]
  send-local-list CP-ID Full|Differential VERSION [ENTRY ...] [--expiry ISO-DATE]
                                                    ENTRY: ID (Accepted), ID:STATUS, ID:STATUS:PARENT,
                                                    or ID:Delete (Differential); --expiry for all
  local-list-version CP-ID                          GetLocalListVersion`;

const ID_TAG_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];

class CliError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
  }
}

const usage = (message: string): CliError => new CliError(`${message}\n${USAGE}`, 2);

async function request(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(`cannot reach the dev CSMS at ${base} (${cause}): is it running? Start it with node dist/tools/dev-csms/main.js`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    throw new CliError(`unexpected answer from ${base} (HTTP ${response.status}): not JSON — is --url the dev CSMS HTTP API?`);
  }
  if (response.ok) return parsed;
  const err = (parsed ?? {}) as { error?: string; message?: string; errorCode?: string; errorDetails?: unknown };
  if (err.error === 'call-error') {
    const details = err.errorDetails && Object.keys(err.errorDetails).length > 0 ? ` ${JSON.stringify(err.errorDetails)}` : '';
    throw new CliError(`the charge point answered CALLERROR ${err.errorCode}: ${err.message ?? ''}${details}`);
  }
  throw new CliError(`${err.message ?? `HTTP ${response.status}`}${err.error ? ` (${err.error})` : ''}`);
}

function formatMessage(m: RecordedMessage): string {
  const arrow = m.direction === 'in' ? '→ CSMS' : '← CSMS';
  const payload = typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload);
  return `#${m.seq} ${m.time} ${m.chargePointId} ${arrow} ${m.messageType} ${m.action ?? '-'} ${m.messageId ?? '-'} ${payload}`;
}

/** SendLocalList's localAuthorizationList (OCPP 1.6 §7.1) from ENTRY arguments. */
function localListEntries(args: readonly string[], updateType: string, expiry: string | undefined): unknown[] {
  return args.map((arg) => {
    const [idTag, status = 'Accepted', parentIdTag, ...rest] = arg.split(':');
    if (status === 'Delete' && parentIdTag === undefined && idTag) {
      if (updateType !== 'Differential') throw usage(`send-local-list: ${arg}: deleting is for a Differential update`);
      return { idTag };
    }
    if (!idTag || rest.length > 0) throw usage(`send-local-list: ${arg}: an entry is ID, ID:STATUS or ID:STATUS:PARENT`);
    if (!ID_TAG_STATUSES.includes(status)) throw usage(`send-local-list: ${arg}: status must be one of ${ID_TAG_STATUSES.join(', ')}, not ${status}`);
    return { idTag, idTagInfo: { status, ...(parentIdTag ? { parentIdTag } : {}), ...(expiry ? { expiryDate: expiry } : {}) } };
  });
}

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw usage(`${name} must be a positive whole number, not ${text}`);
  return Number(text);
}

async function run(argv: string[]): Promise<string> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string', default: DEFAULT_URL }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        cp: { type: 'string' }, action: { type: 'string' }, limit: { type: 'string' }, interval: { type: 'string' },
        timeout: { type: 'string' }, unchecked: { type: 'boolean' }, parent: { type: 'string' }, expiry: { type: 'string' },
      },
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help) return USAGE;
  if (command === undefined) throw usage('missing command');
  const base = values.url.replace(/\/+$/, '');
  const show = (value: unknown): string => JSON.stringify(value, null, 2);
  const arity = (min: number, max: number): void => {
    if (args.length < min || args.length > max) throw usage(`${command}: wrong number of arguments`);
  };

  switch (command) {
    case 'charge-points': {
      arity(0, 0);
      const cps = (await request(base, 'GET', '/charge-points')) as Array<{ id: string; connectedAt: string; remoteAddress?: string }>;
      if (values.json) return show(cps);
      return cps.length === 0 ? 'no charge point connected' : cps.map((c) => `${c.id}  connected ${c.connectedAt}  from ${c.remoteAddress ?? '?'}`).join('\n');
    }
    case 'call': {
      arity(2, 3);
      const [cp, action, json] = args as [string, string, string | undefined];
      let payload: unknown = {};
      if (json !== undefined) {
        try {
          payload = JSON.parse(json);
        } catch {
          throw usage(`the payload must be JSON, not ${json}`);
        }
      }
      const timeoutMs = positiveInt(values.timeout, '--timeout');
      const body = { action, payload, ...(timeoutMs ? { timeoutMs } : {}), ...(values.unchecked ? { unchecked: true } : {}) };
      return show(await request(base, 'POST', `/charge-points/${encodeURIComponent(cp)}/call`, body));
    }
    case 'messages': {
      arity(0, 0);
      const query = new URLSearchParams();
      if (values.cp !== undefined) query.set('chargePointId', values.cp);
      if (values.action !== undefined) query.set('action', values.action);
      query.set('limit', String(positiveInt(values.limit, '--limit') ?? 50));
      const messages = (await request(base, 'GET', `/messages?${query}`)) as RecordedMessage[];
      if (values.json) return show(messages);
      return messages.length === 0 ? 'no messages' : messages.map(formatMessage).join('\n');
    }
    case 'boot-response': {
      arity(1, 1);
      const status = args[0]!;
      if (!['Accepted', 'Pending', 'Rejected'].includes(status)) throw usage(`boot-response: status must be Accepted, Pending or Rejected, not ${status}`);
      const interval = values.interval === undefined ? 300 : Number(values.interval);
      if (!Number.isInteger(interval) || interval < 0) throw usage('--interval must be a whole number of seconds');
      return show(await request(base, 'PUT', '/boot-response', { status, interval }));
    }
    case 'tag': {
      arity(2, 2);
      const [idTag, status] = args as [string, string];
      if (!['Accepted', 'Blocked', 'Expired', 'Invalid'].includes(status)) throw usage(`tag: status must be Accepted, Blocked, Expired or Invalid, not ${status}`);
      const body = { status, ...(values.parent ? { parentIdTag: values.parent } : {}), ...(values.expiry ? { expiryDate: values.expiry } : {}) };
      return show(await request(base, 'PUT', `/tags/${encodeURIComponent(idTag)}`, body));
    }
    case 'send-local-list': {
      if (args.length < 3) throw usage(`${command}: wrong number of arguments`);
      const [cp, updateType, versionText, ...entries] = args as [string, string, string, ...string[]];
      if (!['Full', 'Differential'].includes(updateType)) throw usage(`send-local-list: the update type must be Full or Differential, not ${updateType}`);
      const listVersion = positiveInt(versionText, 'VERSION')!;
      const payload = { listVersion, updateType, localAuthorizationList: localListEntries(entries, updateType, values.expiry) };
      return show(await request(base, 'POST', `/charge-points/${encodeURIComponent(cp)}/call`, { action: 'SendLocalList', payload }));
    }
    case 'local-list-version': {
      arity(1, 1);
      return show(await request(base, 'POST', `/charge-points/${encodeURIComponent(args[0]!)}/call`, { action: 'GetLocalListVersion', payload: {} }));
    }
    default:
      throw usage(`unknown command ${command}`);
  }
}

run(process.argv.slice(2)).then(
  (output) => process.stdout.write(`${output}\n`),
  (error: unknown) => {
    const exitCode = error instanceof CliError ? error.exitCode : 1;
    process.stderr.write(`dev-csms-cli: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCode;
  },
);
