#!/usr/bin/env node
// The firmware's entry point:
//   node dist/app/main.js --config FILE --data-dir DIR
// One process per charger, so several can run side by side with their own data directories.

import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile, ConfigError } from '../config/load-config.js';
import { loadBoardProfile } from '../config/board-profile.js';
import { systemClock } from '../hal/clock.js';
import { loadBoard } from '../hal/load-board.js';
import { HardwareUnavailableError } from '../hal/hardware-packages.js';
import { Charger } from './charger.js';
import { createLogger } from './logger.js';
import { SessionStore } from './persistence/session-store.js';
import { FaultLogStore } from './persistence/fault-log-store.js';
import { resolveDiagnosticsToken } from './diagnostics/credential.js';
import { startDiagnosticsServer } from './diagnostics/server.js';

const USAGE = 'usage: node dist/app/main.js --config FILE --data-dir DIR';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.config || !args['data-dir']) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }

  let config;
  let profile;
  try {
    config = loadConfigFile(resolve(args.config));
    profile = loadBoardProfile(config.board);
  } catch (error) {
    if (error instanceof ConfigError || (error as Error).name === 'BoardProfileError') {
      process.stderr.write(`refusing to start: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }

  const log = createLogger();
  const dataDir = resolve(args['data-dir']);
  await mkdir(dataDir, { recursive: true });
  const report = (problem: unknown) => log.error({ problem }, 'persistence problem');
  const [sessions, faultLog] = await Promise.all([
    SessionStore.open(dataDir, { report }),
    FaultLogStore.open(dataDir, { report }),
  ]);

  const clock = systemClock;
  let board;
  try {
    board = await loadBoard({ profile, clock, connectors: config.connectors, nominalVoltageV: config.site.nominalVoltageV });
  } catch (error) {
    if (error instanceof HardwareUnavailableError) {
      process.stderr.write(`refusing to start: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const charger = new Charger({
    config,
    hardware: board.hardware,
    simulation: board.simulation,
    clock,
    sessions,
    faultLog,
    log: (message, fields) => log.info(fields ?? {}, message),
  });
  await charger.start();

  const token = await resolveDiagnosticsToken(config.diagnostics.token, dataDir);
  const server = await startDiagnosticsServer({
    api: charger,
    host: config.diagnostics.host,
    port: config.diagnostics.port,
    token: token.token,
    logger: log,
  });
  log.info({ url: server.url, tokenSource: token.source, tokenFile: token.file, board: profile.name }, 'charger running');
  process.stderr.write(
    `\nCharger ${config.identity.chargePointId} running on board "${profile.name}".\n` +
      `Diagnostics API: ${server.url}/api/v1/status  (Authorization: Bearer <token>)\n` +
      (token.file ? `Token: in ${token.file}\n` : 'Token: as set in the config (diagnostics.token)\n') +
      `Technician CLI:  node dist/tools/charger-cli.js --url ${server.url} ${token.file ? `--data-dir ${dataDir}` : '--token TOKEN'} status\n\n`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await server.close();
    await charger.stop();
    await board.hardware.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`fatal: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
