// The card desk: a card read at the reader goes to the connector the driver means (card-router),
// is checked by the authorizer, and starts, stops or releases a cable there. It remembers when
// each EV was plugged in (for the routing) and when a card was rejected (for the display).

import type { Clock } from '../../hal/clock.js';
import { vehicleConnected } from '../../state-machines/pilot-state.js';
import { Tag } from '../../state-machines/charging-point-view.js';
import type { Connector } from '../connector/connector.js';
import type { SessionRecord } from '../records.js';
import type { Authorizer } from './authorizer.js';
import { CardDebouncer, routeCard } from './card-router.js';

/** How long "Card rejected" stays on the display. */
export const CARD_REJECTED_DISPLAY_MS = 5000;

export interface CardDeskOptions {
  readonly clock: Clock;
  readonly authorizer: Authorizer;
  readonly debounceMs: number;
  readonly connectors: readonly Connector[];
  /** Every session record, oldest first (the card of a connector's last session). */
  readonly sessions: () => readonly SessionRecord[];
  /** Stops the connector's session for this card. */
  readonly stop: (connectorId: number, uid: string) => void;
  /** A card was rejected (the display shows it). */
  readonly onRejected: () => void;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

export class CardDesk {
  private readonly cards: CardDebouncer;
  private readonly pluggedAt = new Map<number, number>();
  private readonly rejectedUntil = new Map<number, number>();

  constructor(private readonly options: CardDeskOptions) {
    this.cards = new CardDebouncer(options.debounceMs);
  }

  /** A connector changed: note when its EV was plugged in. */
  connectorChanged(connector: Connector): void {
    const plugged = vehicleConnected(connector.pilotState);
    if (plugged && !this.pluggedAt.has(connector.id)) this.pluggedAt.set(connector.id, this.options.clock.now());
    if (!plugged) this.pluggedAt.delete(connector.id);
  }

  /** Whether the display should still say "Card rejected" for this connector. */
  rejected(connectorId: number, now: number): boolean {
    return (this.rejectedUntil.get(connectorId) ?? 0) > now;
  }

  async present(uid: string): Promise<void> {
    const { clock, authorizer, connectors, log } = this.options;
    if (!this.cards.accept(uid, clock.now())) return;
    if (this.releaseKeptCable(uid)) return;
    const route = routeCard(uid, connectors.map((c) => ({
      connectorId: c.id,
      waitsForCard: c.hasTag(Tag.waitsForCard),
      vacant: c.hasTag(Tag.vacant),
      sessionIdTag: c.inSession ? c.context.idTag : null,
      pluggedAt: this.pluggedAt.get(c.id) ?? null,
    })));
    log?.('card', { uid, route });
    if (route.action === 'ignore') {
      await this.stopByGroupCard(uid);
      return;
    }
    const connector = connectors.find((c) => c.id === route.connectorId)!;
    if (route.action === 'stop') {
      this.options.stop(connector.id, uid);
      return;
    }
    // Free charging needs no card, but a card is the driver's "go again" after an emergency stop.
    if (authorizer.freeCharging) {
      connector.authorize(null);
      return;
    }
    const result = await authorizer.authorize(uid);
    log?.('card authorization', { uid, connectorId: connector.id, result });
    if (result === 'Accepted') {
      connector.authorize(uid);
    } else {
      this.rejectedUntil.set(connector.id, clock.now() + CARD_REJECTED_DISPLAY_MS);
      this.options.onRejected();
    }
  }

  /**
   * A socket that kept the cable locked after the EV left (UnlockConnectorOnEVSideDisconnect
   * false) lets it go for the card of its last session.
   */
  private releaseKeptCable(uid: string): boolean {
    const sessions = this.options.sessions();
    for (const connector of this.options.connectors) {
      if (!connector.hasTag(Tag.vacant) || connector.hardware.lock?.readFeedback() !== 'locked') continue;
      const last = sessions.findLast((s) => s.connectorId === connector.id);
      if (last?.idTag?.toUpperCase() !== uid.toUpperCase()) continue;
      void connector.unlock();
      return true;
    }
    return false;
  }

  /** A card of the same group as a session's card may stop it (OCPP 1.6 §3.5.x parentIdTag), when only one session could be meant. */
  private async stopByGroupCard(uid: string): Promise<void> {
    const authorizer = this.options.authorizer;
    const mayStop = authorizer.mayStop?.bind(authorizer);
    if (!mayStop) return;
    const candidates = this.options.connectors.filter((c) => c.inSession && c.context.idTag !== null);
    const matches: Connector[] = [];
    for (const c of candidates) if (await mayStop(c.context.idTag!, uid)) matches.push(c);
    if (matches.length === 1) this.options.stop(matches[0]!.id, uid);
  }
}
