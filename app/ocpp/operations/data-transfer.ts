// DataTransfer (OCPP 1.6 §4.3 / §5.5, §6.12–6.13), both ways. We define no vendor extensions
// yet: every vendorId is unknown to us.

import type { IncomingOperation } from '../services.js';

export const ACTION = 'DataTransfer';

export interface DataTransferRequest {
  readonly vendorId: string;
  readonly messageId?: string;
  readonly data?: string;
}

export interface DataTransferConf {
  readonly status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';
  readonly data?: string;
}

export const dataTransfer: IncomingOperation = {
  action: ACTION,
  handle(): DataTransferConf {
    return { status: 'UnknownVendorId' };
  },
};
