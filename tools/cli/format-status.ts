// Human-readable summaries for the technician CLI. Pure functions: data in, text out.

import type { ActiveFault, ChargerStatus, ConnectorStatus, FaultLogEntry, SessionRecord } from '../../app/records.js';
import type { SimConnectorSnapshot, SimulationSnapshot } from '../../hal/sim/simulation-control.js';

const kWh = (wh: number): string => `${(wh / 1000).toFixed(3)} kWh`;
const kW = (w: number): string => `${(w / 1000).toFixed(2)} kW`;
const volts = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)} V`;
const celsius = (c: number | null): string => (c === null ? 'n/a' : `${c.toFixed(0)} °C`);

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${String(m).padStart(2, '0')}m`;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s % 60).padStart(2, '0')}s`;
}

function formatActiveFaults(faults: readonly ActiveFault[]): string {
  if (faults.length === 0) return 'none';
  return faults
    .map((f) => `${f.fault} (${f.ocppErrorCode}${f.latched ? ', latched — needs reset' : ''}) since ${f.since}`)
    .join('; ');
}

function formatPilot(pilot: ConnectorStatus['pilot']): string {
  const levels = pilot.negativeV === null ? volts(pilot.positiveV) : `${volts(pilot.positiveV)} / ${volts(pilot.negativeV)}`;
  let output: string;
  switch (pilot.output.mode) {
    case 'high':
      output = 'steady +12 V (no PWM)';
      break;
    case 'error':
      output = 'steady −12 V (state F)';
      break;
    case 'pwm':
      output = `PWM ${pilot.output.dutyPercent.toFixed(1)} %`;
      break;
  }
  const duty = pilot.dutyPercent === null ? 'duty —' : `duty ${pilot.dutyPercent.toFixed(1)} %`;
  return `${pilot.state}  ${levels}  ${duty}  output ${output}`;
}

function formatLimits(c: ConnectorStatus): string {
  const limits = Object.entries(c.limits)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([source, amps]) => `${source} ${amps} A`);
  const detail = limits.length > 0 ? `  (${limits.join(', ')})` : '';
  return `${c.allowedCurrentA} A allowed, limited by ${c.limitSource}${detail}`;
}

function switchState(commanded: string, feedback: string): string {
  return commanded === feedback ? commanded : `commanded ${commanded}, feedback ${feedback.toUpperCase()} (mismatch)`;
}

export function formatConnector(c: ConnectorStatus): string {
  const lines = [`Connector ${c.connectorId}  ${c.status}  (${c.state})`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(10)}${value}`);
  row('Pilot', formatPilot(c.pilot));
  row('Current', formatLimits(c));
  row('Cable', c.cableRatingA === null ? 'none' : `${c.cableRatingA} A`);
  row('Contactor', switchState(c.contactor.commanded, c.contactor.feedback));
  if (c.lock) row('Lock', switchState(c.lock.commanded, c.lock.feedback));
  const register = c.meter ? `register ${kWh(c.meter.importEnergyWh)}` : 'no meter';
  row('Energy', c.session ? `${kWh(c.session.energyWh)} this session · ${register}` : register);
  if (!c.meter) row('Power', 'no meter');
  else if (!c.meter.ok) row('Power', 'meter not answering');
  else {
    const phases = c.meter.phases
      .map((p, i) => `L${i + 1} ${p.voltageV.toFixed(0)} V ${p.currentA.toFixed(1)} A`)
      .join(' · ');
    row('Power', `${kW(c.meter.totalPowerW)}  ${phases}  ${c.meter.frequencyHz.toFixed(2)} Hz`);
  }
  row('Temp', `socket ${celsius(c.temperatures.socketC)} · enclosure ${celsius(c.temperatures.enclosureC)}`);
  row('RCD test', `${c.residualCurrentSelfTest}   LED ${c.led.color} ${c.led.blink}`);
  row('Faults', formatActiveFaults(c.activeFaults));
  if (c.session) {
    const card = c.session.idTag === null ? 'free charging' : `card ${c.session.idTag}`;
    row('Session', `${c.session.sessionId}  ${card}  since ${c.session.startedAt}`);
  }
  return lines.join('\n');
}

export function formatDisplay(display: readonly string[]): string {
  const width = Math.max(20, ...display.map((l) => l.length));
  const border = `  +${'-'.repeat(width + 2)}+`;
  const body = display.length > 0 ? display.map((l) => `  | ${l.padEnd(width)} |`) : [`  | ${''.padEnd(width)} |`];
  return [border, ...body, border].join('\n');
}

/** The OCPP link and the boot-loop guard, in one line. */
export function formatBackend(s: ChargerStatus): string {
  const parts = [
    s.ocpp
      ? `OCPP ${s.ocpp.connected ? 'connected' : 'NOT CONNECTED'}, ${s.ocpp.registration}, ${s.ocpp.queuedMessages} transaction message(s) queued`
      : 'none (standalone)',
  ];
  if (s.supervision?.bootLoop) parts.push(`BOOT LOOP after ${s.supervision.recentStarts} short starts`);
  return parts.join(' · ');
}

export function formatStatus(s: ChargerStatus): string {
  const head = [
    `${s.chargePointId}  board ${s.board}  up ${formatDuration(s.uptimeS)}  ${s.time}`,
    `Emergency stop ${s.emergencyStop ? 'PRESSED' : 'released'} · protective earth ${s.groundPresent ? 'present' : 'MISSING'}`,
    `Station faults: ${formatActiveFaults(s.stationFaults)}`,
    `Backend: ${formatBackend(s)}`,
    'Display:',
    formatDisplay(s.display),
  ].join('\n');
  return [head, ...s.connectors.map(formatConnector)].join('\n\n');
}

function formatValues(values: FaultLogEntry['values']): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`)
    .join(' ');
}

export function formatFaultLog(entries: readonly FaultLogEntry[]): string {
  if (entries.length === 0) return 'The fault log is empty.';
  return entries
    .map((e) =>
      [
        e.at,
        (e.connectorId === null ? 'station' : `connector ${e.connectorId}`).padEnd(12),
        e.event.padEnd(7),
        e.fault,
        `(${e.ocppErrorCode})`,
        formatValues(e.values),
      ]
        .filter((part) => part !== '')
        .join('  '),
    )
    .join('\n');
}

export function formatSessions(sessions: readonly SessionRecord[]): string {
  if (sessions.length === 0) return 'No sessions recorded.';
  return sessions
    .map((s) => {
      const card = s.idTag === null ? 'free' : `card ${s.idTag}`;
      const end = s.stoppedAt === null ? 'in progress' : `${s.stoppedAt}  ${s.stopReason ?? 'Other'}${s.stopFault ? ` (${s.stopFault})` : ''}`;
      return `${s.sessionId}  connector ${s.connectorId}  ${card}  ${s.startedAt} → ${end}  ${kWh(s.energyWh)}  max ${kW(s.maxPowerW)}`;
    })
    .join('\n');
}

export function formatCleared(cleared: readonly { connectorId: number | null; fault: string }[]): string {
  if (cleared.length === 0) return 'Nothing to clear (no latched fault whose condition is gone).';
  return cleared
    .map((c) => `Cleared ${c.fault} on ${c.connectorId === null ? 'the station' : `connector ${c.connectorId}`}`)
    .join('\n');
}

function formatSimConnector(c: SimConnectorSnapshot): string {
  const amps = c.drawnCurrentA.map((a) => a.toFixed(1)).join('/');
  const head = c.plugged
    ? `Connector ${c.connectorId}  plugged, cable ${c.cableRatingA === null ? 'captive' : `${c.cableRatingA} A`}, EV state ${c.evState}${c.evPaused ? ' (paused)' : ''}, drawing ${amps} A`
    : `Connector ${c.connectorId}  unplugged (state ${c.evState})`;
  const lines = [head, `  contacts ${c.contactsClosed ? 'closed' : 'open'} · socket ${celsius(c.socketTemperatureC)}`];
  if (c.ev) {
    const ev = c.ev;
    lines.push(
      `  EV ${ev.phases}-phase max ${ev.maxCurrentA} A, SoC ${ev.socPercent.toFixed(1)} % → ${ev.targetSocPercent} % of ${kWh(ev.batteryCapacityWh)}`,
      `     follows PWM after ${ev.followDelayMs} ms, wakes after ${ev.wakeDelayMs} ms, ignores PWM ${ev.ignorePwm ? 'YES' : 'no'}, ` +
        `ventilation ${ev.requestsVentilation ? 'yes' : 'no'}, diode ${ev.hasDiode ? 'yes' : 'MISSING'}, overdraw ${ev.overdrawA} A${ev.overdrawPhase === 'all' ? '' : ` on L${ev.overdrawPhase}`}`,
    );
  }
  lines.push(`  injected faults: ${c.faults.length > 0 ? c.faults.join(', ') : 'none'}`);
  return lines.join('\n');
}

export function formatSimulation(s: SimulationSnapshot): string {
  const head =
    `Mains ${s.mainsVoltageV.map((v) => v.toFixed(0)).join('/')} V ${s.frequencyHz.toFixed(2)} Hz · ` +
    `enclosure ${celsius(s.enclosureTemperatureC)} · e-stop ${s.emergencyStopPressed ? 'PRESSED' : 'released'} · ` +
    `earth ${s.groundPresent ? 'present' : 'MISSING'}`;
  return [head, ...s.connectors.map(formatSimConnector)].join('\n');
}
