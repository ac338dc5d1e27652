// What an incoming operation may use: the services of the OCPP client (MicroOcpp's shape:
// operations call into services, never the other way round).

import type { ChargerPort } from './charger-port.js';
import type { ConfigurationStore } from './configuration/configuration-store.js';
import type { OcppAuthorizer } from './authorization/ocpp-authorizer.js';
import type { AvailabilityService } from './availability/availability-service.js';
import type { TransactionService } from './transactions/transaction-service.js';
import type { RegistrationStatus } from './boot/boot-service.js';
import type { TxProfiles } from './smart-charging/tx-profiles.js';
import type { LocalList } from '../local-list/local-list.js';

export type ResetType = 'Soft' | 'Hard';

export interface OcppServices {
  readonly charger: ChargerPort;
  readonly configuration: ConfigurationStore;
  /** Null in free-charging mode (no cards to check). */
  readonly authorizer: OcppAuthorizer | null;
  readonly transactions: TransactionService;
  readonly availability: AvailabilityService;
  readonly txProfiles: TxProfiles;
  /** The local authorization list (protocol-neutral; kept in free-charging mode too). */
  readonly localList: LocalList;
  readonly registration: () => RegistrationStatus;
  /** Ends every session with the reset's reason, lets the StopTransactions go out, then restarts. */
  readonly reset: (type: ResetType) => void;
  /** Runs after the answer to the current CALL has been sent. */
  readonly afterAnswer: (task: () => void | Promise<void>) => void;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** An operation the backend may call: its action name and its handler. */
export interface IncomingOperation {
  readonly action: string;
  handle(services: OcppServices, request: any): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any -- schema-validated by the connection
}
