// Authorization as a strategy: standalone now (free charging or a local allow-list), the OCPP
// backend and its cache later, behind the same interface.

import type { ChargerConfig } from '../../config/charger-config.js';

export type AuthorizationResult = 'Accepted' | 'Invalid';

export interface Authorizer {
  /** Whether sessions start without a card. */
  readonly freeCharging: boolean;
  authorize(idTag: string): Promise<AuthorizationResult>;
  /** Whether a card other than the session's own may stop it (OCPP: the same parentIdTag). Absent: never. */
  mayStop?(sessionIdTag: string, presentedIdTag: string): Promise<boolean>;
}

export class AllowListAuthorizer implements Authorizer {
  readonly freeCharging = false;
  private readonly allowed: ReadonlySet<string>;

  constructor(uids: readonly string[]) {
    this.allowed = new Set(uids.map((uid) => uid.toUpperCase()));
  }

  async authorize(idTag: string): Promise<AuthorizationResult> {
    return this.allowed.has(idTag.toUpperCase()) ? 'Accepted' : 'Invalid';
  }
}

/** Plug and charge: every session starts without a card; a card is not needed (nor accepted) to start. */
export class FreeChargingAuthorizer implements Authorizer {
  readonly freeCharging = true;

  async authorize(): Promise<AuthorizationResult> {
    return 'Invalid';
  }
}

export function createAuthorizer(config: ChargerConfig['authorization']): Authorizer {
  return config.mode === 'free' ? new FreeChargingAuthorizer() : new AllowListAuthorizer(config.allowList);
}
