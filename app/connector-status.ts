// The live status of one connector, as the diagnostics API reports it.

import type { Connector } from './connector/connector.js';
import type { ActiveFault, ConnectorStatus, SessionRecord } from './records.js';

export function connectorStatus(
  connector: Connector,
  extra: { enclosureC: number | null; session: SessionRecord | null; faults: readonly ActiveFault[] },
): ConnectorStatus {
  const hw = connector.hardware;
  const levels = hw.pilot.read();
  const output = hw.pilot.output;
  const reading = connector.meter.lastReading;
  return {
    connectorId: connector.id,
    state: connector.stateName,
    status: connector.ocppStatus,
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
