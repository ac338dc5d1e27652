// With one reader and several connectors, a card goes to the connector the driver is using:
// the one already charging for that card (to stop it), else the one just plugged in and waiting
// for a card, else — only when it cannot be mistaken — the one free connector (card first, then plug).
// Never to another.

export interface RoutableConnector {
  readonly connectorId: number;
  /** An EV is plugged in and waits for a card (the machine's waitsForCard tag). */
  readonly waitsForCard: boolean;
  /** No EV, no card (the machine's vacant tag). */
  readonly vacant: boolean;
  /** The card of the open session, if any. */
  readonly sessionIdTag: string | null;
  /** When the EV was plugged in (ms), for "the one just plugged in". */
  readonly pluggedAt: number | null;
}

export type CardRoute =
  | { readonly action: 'stop'; readonly connectorId: number }
  | { readonly action: 'authorize'; readonly connectorId: number }
  | { readonly action: 'ignore'; readonly reason: 'noConnectorWaiting' | 'ambiguous' };

export function routeCard(uid: string, connectors: readonly RoutableConnector[]): CardRoute {
  const own = connectors.find((c) => c.sessionIdTag !== null && c.sessionIdTag === uid);
  if (own) return { action: 'stop', connectorId: own.connectorId };

  const waiting = connectors.filter((c) => c.waitsForCard);
  if (waiting.length > 0) {
    const latest = waiting.reduce((a, b) => ((b.pluggedAt ?? 0) > (a.pluggedAt ?? 0) ? b : a));
    return { action: 'authorize', connectorId: latest.connectorId };
  }

  const vacant = connectors.filter((c) => c.vacant);
  if (vacant.length === 1) return { action: 'authorize', connectorId: vacant[0]!.connectorId };
  return { action: 'ignore', reason: vacant.length > 1 ? 'ambiguous' : 'noConnectorWaiting' };
}

/** The same card read again within the window counts once. */
export class CardDebouncer {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  accept(uid: string, now: number): boolean {
    const previous = this.lastSeen.get(uid);
    this.lastSeen.set(uid, now);
    for (const [other, at] of this.lastSeen) if (now - at > this.windowMs) this.lastSeen.delete(other);
    return previous === undefined || now - previous > this.windowMs;
  }
}
