// BootNotification (OCPP 1.6 §4.2, §6.2–6.3): the first message on every start.

import type { ChargerConfig } from '../../../config/charger-config.js';

export const ACTION = 'BootNotification';

export interface BootNotificationRequest {
  readonly chargePointVendor: string;
  readonly chargePointModel: string;
  readonly chargePointSerialNumber?: string;
  readonly chargeBoxSerialNumber?: string;
  readonly firmwareVersion?: string;
  readonly meterType?: string;
}

export interface BootNotificationConf {
  readonly status: 'Accepted' | 'Pending' | 'Rejected';
  readonly currentTime: string;
  /** Accepted: the heartbeat interval; Pending / Rejected: when to send BootNotification again (s). */
  readonly interval: number;
}

export function bootNotificationRequest(identity: ChargerConfig['identity'], firmwareVersion: string, meterType: string): BootNotificationRequest {
  return {
    chargePointVendor: identity.vendor,
    chargePointModel: identity.model,
    chargePointSerialNumber: identity.serialNumber,
    firmwareVersion: firmwareVersion.slice(0, 50),
    meterType: meterType.slice(0, 25),
  };
}
