// StatusNotification (OCPP 1.6 §4.9, §6.48–6.49): built by status/status-report.ts, sent by
// status/status-notifier.ts; not queued while offline (only the current status is sent on return).

export type { StatusNotificationRequest } from '../status/status-report.js';

export const ACTION = 'StatusNotification';

export type StatusNotificationConf = Record<string, never>;
