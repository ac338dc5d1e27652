// The charger's parts, built and wired to each other: the connectors, site sharing, station
// safety, the fault recorder, the open-session book, the card desk and the display presenter.
// app/charger.ts is the facade over them; this is the one place that knows who tells whom.

import type { Clock } from '../hal/clock.js';
import type { BoardHardware } from '../hal/interfaces.js';
import type { ChargerConfig } from '../config/charger-config.js';
import type { FaultName } from '../state-machines/faults.js';
import type { ChargerEvent, StopReason } from './ocpp/charger-port.js';
import type { Connector } from './connector/connector.js';
import { createConnectors } from './connector/create-connectors.js';
import { SiteShare } from './metering/site-share.js';
import type { SoftwareFaultHandler } from './safety/fail-safe.js';
import { StationSafety } from './safety/station-safety.js';
import { FaultRecorder } from './safety/fault-recorder.js';
import { createAuthorizer, type Authorizer } from './auth/authorizer.js';
import { CardDesk } from './auth/card-desk.js';
import { SessionBook } from './sessions/session-book.js';
import { DisplayPresenter } from './display/display-presenter.js';
import type { FaultLogStore } from './persistence/fault-log-store.js';
import type { SessionStore } from './persistence/session-store.js';

/** What a charger is built from. */
export interface ChargerOptions {
  readonly config: ChargerConfig;
  readonly hardware: BoardHardware;
  readonly clock: Clock;
  readonly sessions: SessionStore;
  readonly faultLog: FaultLogStore;
  readonly authorizer?: Authorizer;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * An actor failed: the fail-safe path (app/safety/fail-safe.ts; app/main.ts gives it). Without
   * one, the error is thrown out of the event loop as an uncaught exception.
   */
  readonly onSoftwareFault?: SoftwareFaultHandler;
}

export interface StationParts {
  readonly connectors: readonly Connector[];
  readonly siteShare: SiteShare;
  readonly safety: StationSafety;
  readonly faults: FaultRecorder;
  readonly book: SessionBook;
  readonly cards: CardDesk;
  readonly display: DisplayPresenter;
  /** Ends the subscriptions between the parts and to the board. */
  readonly disposers: readonly (() => void)[];
}

/** What the parts need of the facade: its event fan-out, and its stop (which the card desk uses). */
export interface FacadeHooks {
  emit(event: ChargerEvent): void;
  stopSession(connectorId: number, reason: StopReason, stoppedByIdTag: string | null): boolean;
}

export function assembleStation(options: ChargerOptions, facade: FacadeHooks): StationParts {
  const { config, hardware, clock, log } = options;
  const emit = (event: ChargerEvent) => facade.emit(event);
  const authorizer = options.authorizer ?? createAuthorizer(config.authorization);
  const disabledInterlocks = new Set(config.safety.disabledInterlocks as FaultName[]);
  const onSoftwareFault: SoftwareFaultHandler = options.onSoftwareFault ?? (({ error }) => queueMicrotask(() => {
    throw error;
  }));
  const disposers: (() => void)[] = [];

  const faults = new FaultRecorder(clock, options.faultLog, log);
  const book: SessionBook = new SessionBook({
    clock,
    store: options.sessions,
    meterOf: (id) => connectors.find((c) => c.id === id)?.meter,
    onBookChanged: () => siteShare.update(),
    onClosed: () => display.schedule(),
    emit,
    ...(log ? { log } : {}),
  });
  const connectors: readonly Connector[] = createConnectors(config, hardware, {
    clock,
    freeCharging: authorizer.freeCharging,
    disabledInterlocks,
    onSoftwareFault,
    events: {
      sessionStarted: (id, idTag) => book.started(id, idTag),
      sessionStopped: (id, reason, fault) => book.stopped(id, reason, fault),
      faultChanged: (id, fault, previous, next, values) => faults.record(id, fault, previous, next, values),
      changed: (id) => {
        const connector = connectors.find((c) => c.id === id);
        if (!connector) return;
        cards.connectorChanged(connector);
        siteShare.update();
        display.schedule();
        emit({ type: 'changed', connectorId: id });
      },
    },
  });
  const siteShare: SiteShare = new SiteShare(config.site.maxCurrentA, clock, connectors, (id) => book.isOpen(id));
  disposers.push(() => siteShare.dispose());
  for (const connector of connectors) {
    disposers.push(connector.meter.onReading((reading, at) => {
      siteShare.observe(connector.id, reading, at);
      book.reading(connector.id, reading);
      emit({ type: 'meterReading', connectorId: connector.id, reading, at });
    }));
  }
  const cards: CardDesk = new CardDesk({
    clock,
    authorizer,
    debounceMs: config.authorization.cardDebounceMs,
    connectors,
    sessions: () => options.sessions.list(),
    stop: (id, uid) => void facade.stopSession(id, 'Local', uid),
    onRejected: () => display.schedule(),
    ...(log ? { log } : {}),
  });
  const display: DisplayPresenter = new DisplayPresenter(clock, hardware.display, connectors, {
    openOn: (id) => book.openOn(id),
    lastEnergyWh: (id) => book.lastEnergyWh(id),
    rejected: (id, now) => cards.rejected(id, now),
  });
  const safety = new StationSafety({
    safety: config.safety,
    hardware,
    clock,
    connectors,
    disabledInterlocks,
    onSoftwareFault,
    onFaultChanged: (fault, previous, next, values) => faults.record(null, fault, previous, next, values),
    onChanged: () => emit({ type: 'changed', connectorId: 0 }),
  });
  disposers.push(hardware.rfid.onCard(({ uid }) => void cards.present(uid)));
  return { connectors, siteShare, safety, faults, book, cards, display, disposers };
}
