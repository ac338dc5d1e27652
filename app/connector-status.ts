// The live status of one connector, as the diagnostics API reports it.

import type { Connector } from './connector/connector.js';
import type { ActiveFault, ConnectorStatus, SessionRecord } from './records.js';
import type { ChargePointStatus } from './ocpp/charger-port.js';

/** OCPP 1.6 ChargePointStatus (§7.7) for a charging-point state. */
export function ocppStatus(state: string, stopIntent: 'pause' | 'finish', operative: boolean): ChargePointStatus {
  if (state.startsWith('fault')) return 'Faulted';
  // §4.9: an inoperative connector is Unavailable once no session runs on it.
  if (!operative && !state.startsWith('connected.session') && state !== 'connected.finishing') return 'Unavailable';
  if (state === 'connected.session.evDisconnected') return 'SuspendedEV';
  if (state === 'idle.authorizedAwaitingPlug') return 'Preparing';
  if (state.startsWith('idle')) return 'Available';
  if (state === 'connected.awaitingAuthorization' || state === 'connected.session.preparing') return 'Preparing';
  if (state === 'connected.session.energized.charging') return 'Charging';
  if (state === 'connected.session.energized.stopping') return stopIntent === 'finish' ? 'Finishing' : 'SuspendedEVSE';
  if (state.startsWith('connected.session.suspendedEVSE')) return 'SuspendedEVSE';
  if (state === 'connected.session.offering' || state === 'connected.session.suspendedEV') return 'SuspendedEV';
  if (state === 'connected.finishing') return 'Finishing';
  return 'Unavailable';
}

export function connectorStatus(
  connector: Connector,
  extra: { enclosureC: number | null; session: SessionRecord | null; faults: readonly ActiveFault[] },
): ConnectorStatus {
  const hw = connector.hardware;
  const levels = hw.pilot.read();
  const output = hw.pilot.output;
  const reading = connector.meter.lastReading;
  const state = connector.stateName;
  return {
    connectorId: connector.id,
    state,
    status: ocppStatus(state, connector.context.stopIntent, connector.context.operative),
    pilot: {
      state: connector.pilotState,
      positiveV: levels.positiveV,
      negativeV: levels.negativeV,
      output,
      dutyPercent: output.mode === 'pwm' ? output.dutyPercent : null,
    },
    cableRatingA: connector.cableRating as ConnectorStatus['cableRatingA'],
    allowedCurrentA: connector.allowed.amps,
    limitSource: connector.allowed.source,
    limits: connector.currentLimits,
    contactor: { commanded: hw.contactor.commanded, feedback: hw.contactor.readFeedback() },
    lock: hw.lock ? { commanded: hw.lock.commanded, feedback: hw.lock.readFeedback() } : null,
    meter: reading
      ? {
        ok: connector.meter.ok,
        phases: reading.phases.map((p) => ({ voltageV: p.voltageV, currentA: p.currentA, powerW: p.powerW })),
        totalPowerW: reading.totalPowerW,
        frequencyHz: reading.frequencyHz,
        importEnergyWh: reading.importEnergyWh,
      }
      : null,
    temperatures: { socketC: hw.socketTemperature.read(), enclosureC: extra.enclosureC },
    led: { color: hw.led.color, blink: hw.led.blink },
    activeFaults: extra.faults,
    session: extra.session,
    residualCurrentSelfTest: connector.selfTestState,
  };
}
