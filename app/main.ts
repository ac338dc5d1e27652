#!/usr/bin/env node
// The firmware's entry point:
//   node dist/app/main.js --config FILE --data-dir DIR
// One process per charger, so several can run side by side with their own data directories.
// With `ocpp.csmsUrl` in the config it is an OCPP 1.6J charge point; without, it runs standalone.

import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BoardProfile } from '../config/board-profile.js';
import type { ChargerConfig } from '../config/charger-config.js';
import { systemClock } from '../hal/clock.js';
import { HardwareUnavailableError } from '../hal/hardware-packages.js';
import type { ChargerApi } from './charger-api.js';
import { composeCharger } from './compose.js';
import { createLogger, type Logger } from './logger.js';
import type { ResetType } from './ocpp/services.js';
import type { StopReason } from './ocpp/charger-port.js';
import type { TlsMaterial } from './ocpp/connection/security-options.js';
import { firmwareVersion } from './version.js';
import { BootLoopGuard, bootLoopSettingsFromEnv } from './supervision/boot-loop-guard.js';
import { logFailSafeSync } from './safety/fail-safe.js';
import type { Watchdogs } from './safety/watchdogs.js';

const USAGE = 'usage: node dist/app/main.js --config FILE --data-dir DIR';

/** Exit code of a start refused for a bad config or missing hardware. */
const EXIT_REFUSED = 2;

class StartRefused extends Error {}

interface Running {
  /** Stops everything. With a reason, open sessions end with it first (their StopTransactions queued). */
  stop(endSessions?: StopReason): Promise<void>;
}

async function readPem(file: string | undefined, what: string): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    return await readFile(resolve(file), 'utf8');
  } catch (error) {
    throw new StartRefused(`ocpp.tls.${what} ${file} cannot be read: ${(error as Error).message}`);
  }
}

async function readTls(config: ChargerConfig): Promise<TlsMaterial> {
  const { caFile, certFile, keyFile } = config.ocpp.tls;
  return { ca: await readPem(caFile, 'caFile'), cert: await readPem(certFile, 'certFile'), key: await readPem(keyFile, 'keyFile') };
}

async function start(config: ChargerConfig, profile: BoardProfile, dataDir: string, log: Logger, restart: (type: ResetType) => void, guard: BootLoopGuard): Promise<Running> {
  let parts;
  try {
    parts = await composeCharger({
      config,
      profile,
      dataDir,
      clock: systemClock,
      ocpp: {
        tls: config.ocpp.csmsUrl ? await readTls(config) : {},
        firmwareVersion: firmwareVersion(),
        log: (level, message, fields) => log[level]({ ocpp: true, ...fields }, message),
        restart,
        onBootSent: () => log.info({ ocpp: true, sinceProcessStartMs: Math.round(performance.now()) }, 'BootNotification sent'),
        connectDelayMs: guard.remainingConnectDelayMs(),
      },
      chargerLog: (message, fields) => log.info(fields ?? {}, message),
      reportPersistence: (problem) => log.error({ problem }, 'persistence problem'),
      failSafe: { log: logFailSafeSync, exit: (code) => process.exit(code) },
    });
  } catch (error) {
    if (error instanceof HardwareUnavailableError) throw new StartRefused(error.message);
    throw error;
  }
  const { board, charger, ocpp } = parts;
  const failSafe = parts.failSafe!;
  // From here every software fault, and every way out of the process, de-energizes the coils.
  const uninstallFailSafe = failSafe.install(process);
  const csmsUrl = config.ocpp.csmsUrl;

  const api: ChargerApi = {
    status: () => ({ ...charger.status(), ocpp: ocpp ? ocpp.status : null, supervision: guard.status }),
    faultLog: () => charger.faultLog(),
    sessions: () => charger.sessions(),
    resetFaults: (connectorId) => charger.resetFaults(connectorId),
  };
  // Loaded after the OCPP client has started connecting (as the diagnostics server below): its
  // BootNotification waits for nothing it does not need. The watchdogs' worker thread starts while
  // the diagnostics server loads; nothing is armed before everything is loaded.
  const [{ startWatchdogs }, { resolveDiagnosticsToken }] = await Promise.all([import('./safety/watchdogs.js'), import('./diagnostics/credential.js')]);
  const watchdogsStarting = startWatchdogs({
    release: board.hardware.safeState,
    failSafe,
    hardwareWatchdogDevice: profile.driver !== 'sim' ? (profile.watchdog?.device ?? null) : null,
    env: process.env,
    log: (level, message, fields) => log[level]({ supervision: true, ...fields }, message),
  });
  watchdogsStarting.catch(() => {}); // awaited below; not unhandled meanwhile
  for (const message of guard.takeDamageFound()) parts.securityEvents.record('StorageCorruption', message);
  const token = await resolveDiagnosticsToken(config.diagnostics.token, dataDir);
  if (token.replaced) {
    const message = `diagnostics token in ${token.file} was unusable (${token.replaced.reason}); kept as ${token.replaced.movedTo}; a new token was generated: read it from ${token.file}`;
    log.error({ tokenFile: token.file, movedTo: token.replaced.movedTo }, message);
    parts.securityEvents.record('ReconfigurationOfSecurityParameters', message);
  }
  // After the OCPP client: its BootNotification need not wait for the HTTP stack to load.
  const { startDiagnosticsServer } = await import('./diagnostics/server.js');
  const server = await startDiagnosticsServer({
    api,
    simulation: board.simulation,
    host: config.diagnostics.host,
    port: config.diagnostics.port,
    token: token.token,
    logger: log,
  });
  let watchdogs: Watchdogs;
  try {
    watchdogs = await watchdogsStarting;
  } catch (error) {
    if (error instanceof HardwareUnavailableError) throw new StartRefused(error.message);
    throw error;
  }
  // Armed once every module is loaded: loading them blocks the event loop for hundreds of ms
  // (the contactors are open then: the charger has only just started).
  watchdogs.arm();
  log.info({ url: server.url, tokenSource: token.source, tokenFile: token.file, board: profile.name, csmsUrl: csmsUrl ?? null }, 'charger running');
  process.stderr.write(
    `\nCharger ${config.identity.chargePointId} running on board "${profile.name}"` +
      (csmsUrl ? `, OCPP 1.6J to ${csmsUrl}/${config.identity.chargePointId}.\n` : ', standalone (no ocpp.csmsUrl).\n') +
      `Diagnostics API: ${server.url}/api/v1/status  (Authorization: Bearer <token>)\n` +
      (token.file ? `Token: in ${token.file}\n` : 'Token: as set in the config (diagnostics.token)\n') +
      `Technician CLI:  node dist/tools/charger-cli.js --url ${server.url} ${token.file ? `--data-dir ${dataDir}` : '--token TOKEN'} status\n\n`,
  );

  return {
    async stop(endSessions) {
      if (endSessions) {
        await charger.endSessions(endSessions);
        await ocpp?.settle();
      }
      await server.close();
      await ocpp?.stop();
      await charger.stop();
      // The sessions ended cleanly; the coils are released once more, drivers and raw writes alike.
      failSafe.deEnergize();
      await watchdogs.stop(); // the hardware watchdog's magic close: a clean exit does not reset the SoC
      await board.hardware.close();
      uninstallFailSafe();
    },
  };
}

/** Hard reset: a new process in our place (same arguments, same stdout/stderr), then we exit. */
function respawn(): never {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', detached: true });
  child.unref();
  process.exit(0);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { config: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return EXIT_REFUSED;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!args.config || !args['data-dir']) {
    process.stderr.write(`${USAGE}\n`);
    return EXIT_REFUSED;
  }

  let config;
  let profile;
  let coilInterlockWarning;
  try {
    // Imported here, so that a dist/ without its compiled validators (built by tsc alone) is refused in one line too.
    const [{ loadConfigFile }, boardProfiles] = await Promise.all([import('../config/load-config.js'), import('../config/board-profile.js')]);
    ({ coilInterlockWarning } = boardProfiles);
    config = loadConfigFile(resolve(args.config));
    profile = boardProfiles.loadBoardProfile(config.board);
  } catch (error) {
    if (['ConfigError', 'BoardProfileError', 'BuildIncompleteError'].includes((error as Error).name)) {
      process.stderr.write(`refusing to start: ${(error as Error).message}\n`);
      return EXIT_REFUSED;
    }
    throw error;
  }

  const log = createLogger();
  const coilWarning = coilInterlockWarning(profile);
  if (coilWarning) log.warn({ board: profile.name }, coilWarning);
  const dataDir = resolve(args['data-dir']);
  await mkdir(dataDir, { recursive: true });
  // First, before any store opens: count this start, and recover if the last ones all died young.
  const guard = await BootLoopGuard.start({ dataDir, log: (level, message, fields) => log[level]({ supervision: true, ...fields }, message), ...bootLoopSettingsFromEnv(process.env) });

  let running: Running | null = null;
  let busy = false;
  const restart = (type: ResetType) => {
    if (busy) return;
    busy = true;
    void (async () => {
      await running?.stop();
      running = null;
      if (type === 'Hard') {
        await guard.stoppedCleanly();
        respawn();
      }
      log.warn('soft reset: starting again');
      running = await start(config, profile, dataDir, log, restart, guard);
      busy = false;
    })().catch((error: Error) => {
      process.stderr.write(`fatal during reset: ${error.stack ?? error.message}\n`);
      process.exit(1);
    });
  };

  try {
    running = await start(config, profile, dataDir, log, restart, guard);
  } catch (error) {
    if (error instanceof StartRefused) {
      process.stderr.write(`refusing to start: ${error.message}\n`);
      return EXIT_REFUSED;
    }
    throw error;
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await running?.stop('Reboot'); // §7.39 Reboot: the charger was rebooted locally (not by the backend)
    await guard.stoppedCleanly();
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
