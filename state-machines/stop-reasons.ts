// Why a session ends: a word of the domain, used by the charging-point machine and recorded
// with the session (app/records.ts re-exports it).

/** Why a session ended: OCPP 1.6 §7.39 Reason, plus Fault (an interlock; OCPP reports it as Other). */
export const SESSION_STOP_REASONS = [
  'EVDisconnected', // the EV was unplugged
  'Local', // the driver presented the card again
  'Remote', // RemoteStopTransaction
  'DeAuthorized', // the backend refused the idTag after the start (StopTransactionOnInvalidId)
  'UnlockCommand', // UnlockConnector
  'EmergencyStop',
  'Fault', // an interlock ended it
  'PowerLoss', // found open after a restart
  'Reboot', // the firmware restarted on purpose (not by a Reset command)
  'HardReset',
  'SoftReset',
  'Other',
] as const;

export type SessionStopReason = (typeof SESSION_STOP_REASONS)[number];
