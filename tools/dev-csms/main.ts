#!/usr/bin/env node
// The dev CSMS as a process: OCPP 1.6J server + developer HTTP API. Prints (stderr) how to connect
// a charger and how to send it commands. Exit codes: 0 after SIGINT/SIGTERM, 1 failure, 2 usage error.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DevCsms } from './csms.js';
import { startHttpApi } from './http-api.js';
import type { DevCsmsOptions, TagConfig, TlsConfig } from './types.js';

const USAGE = `Usage: node dist/tools/dev-csms/main.js [options]
  --host HOST            address to listen on (default 127.0.0.1)
  --port PORT            OCPP WebSocket port (default 9000, 0 = any)
  --http-port PORT       developer HTTP API port (default 9001, 0 = any)
  --tags ID,ID,...       idTags answered Accepted (others are Invalid)
  --record FILE          append every OCPP message to FILE as JSON lines
  --boot Accepted|Pending|Rejected   BootNotification answer (default Accepted)
  --interval S           heartbeat/retry interval in the BootNotification answer (default 300)
  --basic-auth CP=KEY,...  security profile 1: the AuthorizationKey of each charge point
  --tls-cert FILE --tls-key FILE   security profile 2: serve wss:// (PEM files)
  --tls-ca FILE --require-client-cert   security profile 3: client certificates signed by this CA
  --log-level LEVEL      pino level (default info)`;

class UsageError extends Error {}

function port(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new UsageError(`${name} must be a port number (0-65535), not ${JSON.stringify(text)}`);
  return n;
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function parse(argv: string[]): { options: DevCsmsOptions; httpPort: number; logLevel: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string' }, 'http-port': { type: 'string' },
      tags: { type: 'string' }, record: { type: 'string' }, boot: { type: 'string' }, interval: { type: 'string' },
      'basic-auth': { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'tls-ca': { type: 'string' },
      'require-client-cert': { type: 'boolean' }, 'log-level': { type: 'string', default: 'info' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const boot = values.boot ?? 'Accepted';
  if (!['Accepted', 'Pending', 'Rejected'].includes(boot)) throw new UsageError(`--boot must be Accepted, Pending or Rejected, not ${boot}`);
  const interval = Number(values.interval ?? '300');
  if (!Number.isInteger(interval) || interval < 0) throw new UsageError('--interval must be a whole number of seconds');
  const authorizedTags: Record<string, TagConfig> = {};
  for (const tag of list(values.tags)) {
    if (tag.length > 20) throw new UsageError(`idTag ${tag} is longer than 20 characters`);
    authorizedTags[tag] = { status: 'Accepted' };
  }
  let basicAuth: Record<string, string> | undefined;
  for (const entry of list(values['basic-auth'])) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`--basic-auth wants CP=KEY pairs, not ${entry}`);
    (basicAuth ??= {})[entry.slice(0, at)] = entry.slice(at + 1);
  }
  let tls: TlsConfig | undefined;
  if (values['tls-cert'] !== undefined || values['tls-key'] !== undefined) {
    if (values['tls-cert'] === undefined || values['tls-key'] === undefined) throw new UsageError('--tls-cert and --tls-key go together');
    if (values['require-client-cert'] && values['tls-ca'] === undefined) throw new UsageError('--require-client-cert needs --tls-ca');
    tls = {
      cert: readFileSync(values['tls-cert'], 'utf8'),
      key: readFileSync(values['tls-key'], 'utf8'),
      ...(values['tls-ca'] !== undefined ? { ca: readFileSync(values['tls-ca'], 'utf8') } : {}),
      requestClientCert: values['require-client-cert'] === true,
    };
  } else if (values['tls-ca'] !== undefined || values['require-client-cert']) {
    throw new UsageError('--tls-ca and --require-client-cert need --tls-cert and --tls-key');
  }
  const options: DevCsmsOptions = {
    host: values.host,
    port: port(values.port, 9000, '--port'),
    bootResponse: { status: boot as 'Accepted', interval },
    authorizedTags,
    ...(basicAuth ? { basicAuth } : {}),
    ...(tls ? { tls } : {}),
    ...(values.record !== undefined ? { recordFile: values.record } : {}),
  };
  return { options, httpPort: port(values['http-port'], 9001, '--http-port'), logLevel: values['log-level'] };
}

function instructions(csms: DevCsms, apiUrl: string, options: DevCsmsOptions): string {
  const cli = `node dist/tools/dev-csms/cli.js --url ${apiUrl}`;
  const tags = Object.keys(options.authorizedTags ?? {});
  return [
    `dev CSMS (OCPP 1.6J) listening`,
    `  charger central system URL: ${csms.url}   (the charger appends /<ChargePointId>; subprotocol ocpp1.6)`,
    /^(0\.0\.0\.0|::)$/.test(options.host) ? '  (listening on every interface: give the charger this machine\'s address instead)' : null,
    options.basicAuth ? `  HTTP Basic auth required for: ${Object.keys(options.basicAuth).join(', ')}` : null,
    options.tls?.requestClientCert ? '  TLS client certificate required (security profile 3)' : null,
    `  accepted idTags: ${tags.length > 0 ? tags.join(', ') : '(none: every tag is Invalid; add some with the tag command)'}`,
    options.recordFile ? `  recording to ${options.recordFile}` : null,
    `developer API: ${apiUrl}`,
    `  ${cli} charge-points`,
    `  ${cli} call CP-ID Reset '{"type":"Soft"}'`,
    `  ${cli} messages --cp CP-ID --limit 20`,
    `  ${cli} boot-response Pending --interval 10`,
    `  ${cli} tag 04A1B2C3D4 Blocked`,
    `  curl -s -XPOST ${apiUrl}/charge-points/CP-ID/call -H 'content-type: application/json' -d '{"action":"ClearCache","payload":{}}'`,
  ].filter((line) => line !== null).join('\n');
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`dev-csms: ${(error as Error).message}\n${usage ? `${USAGE}\n` : ''}`);
    process.exit(usage ? 2 : 1);
  }
  const logger = pino({ level: parsed.logLevel }, pino.destination(2));
  const csms = await DevCsms.start({ ...parsed.options, logger });
  const api = await startHttpApi({ csms, host: parsed.options.host, port: parsed.httpPort, logger }).catch(async (error: unknown) => {
    await csms.close();
    throw error;
  });
  csms.on('message', (m) => logger.info({ ocpp: m }, `${m.chargePointId} ${m.direction === 'in' ? '→' : '←'} ${m.messageType} ${m.action ?? ''}`));
  process.stderr.write(`${instructions(csms, api.url, parsed.options)}\n`);
  const stop = (): void => {
    void Promise.all([api.close(), csms.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`dev-csms: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
