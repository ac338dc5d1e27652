// Authorize (OCPP 1.6 §4.1, §6.4–6.5): asked by authorization/ocpp-authorizer.ts.

import type { IdTagInfo } from '../ocpp-types.js';

export const ACTION = 'Authorize';

export interface AuthorizeRequest {
  readonly idTag: string;
}

export interface AuthorizeConf {
  readonly idTagInfo: IdTagInfo;
}
