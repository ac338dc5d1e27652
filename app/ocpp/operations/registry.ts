// Every operation the backend may call, registered in one place.

import type { IncomingOperation } from '../services.js';
import { changeAvailability } from './change-availability.js';
import { changeConfiguration } from './change-configuration.js';
import { clearCache } from './clear-cache.js';
import { dataTransfer } from './data-transfer.js';
import { getConfiguration } from './get-configuration.js';
import { getLocalListVersion } from './get-local-list-version.js';
import { remoteStartTransaction } from './remote-start-transaction.js';
import { remoteStopTransaction } from './remote-stop-transaction.js';
import { reset } from './reset.js';
import { sendLocalList } from './send-local-list.js';
import { unlockConnector } from './unlock-connector.js';

/** The backend-initiated operations (§5) of the profiles supported. Other 1.6 actions are answered NotSupported by the connection. */
export const INCOMING_OPERATIONS: readonly IncomingOperation[] = [
  changeAvailability,
  changeConfiguration,
  clearCache,
  dataTransfer,
  getConfiguration,
  getLocalListVersion,
  remoteStartTransaction,
  remoteStopTransaction,
  reset,
  sendLocalList,
  unlockConnector,
];
