// Heartbeat (OCPP 1.6 §4.6, §6.30–6.31): tells the backend we are alive, and gives us its time.

export const ACTION = 'Heartbeat';

export type HeartbeatRequest = Record<string, never>;

export interface HeartbeatConf {
  readonly currentTime: string;
}

export const heartbeatRequest = (): HeartbeatRequest => ({});
