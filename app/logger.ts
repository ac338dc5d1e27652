// One structured logger (pino): JSON lines on stdout, so a supervisor or journald keeps them.

import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'charger', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
