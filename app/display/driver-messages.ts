// What the driver reads on the display and sees on the LED, for each connector state (by the
// display key the state carries in its meta). Pure: the charger feeds it a view of each connector
// and writes the result to the HAL.

import type { LedBlink, LedColor } from '../../hal/interfaces.js';
import type { DisplayKey } from '../../state-machines/charging-point-view.js';

export interface ConnectorView {
  readonly connectorId: number;
  /** What the charging-point machine's state shows (its meta). */
  readonly display: DisplayKey;
  readonly energyWh: number;
  readonly powerW: number;
  readonly sessionSeconds: number;
  readonly faultReason: string | null;
  /** A card was just refused on this connector. */
  readonly cardRejected: boolean;
  /** The EV is plugged in (pilot B, C or D). */
  readonly plugged: boolean;
}

export interface DriverMessage {
  readonly title: string;
  readonly detail: string;
  readonly led: { readonly color: LedColor; readonly blink: LedBlink };
}

export function driverMessage(view: ConnectorView): DriverMessage {
  if (view.display === 'fault') {
    return { title: 'Fault', detail: view.faultReason ?? 'Out of service', led: { color: 'red', blink: 'fast' } };
  }
  if (view.cardRejected) return { title: 'Card rejected', detail: 'Try another card', led: { color: 'red', blink: 'slow' } };
  switch (view.display) {
    case 'cardAccepted': return { title: 'Card accepted', detail: 'Plug in the cable', led: { color: 'blue', blink: 'slow' } };
    case 'ready': return { title: 'Ready', detail: 'Plug in to charge', led: { color: 'green', blink: 'steady' } };
    case 'presentCard': return { title: 'Present card', detail: 'to start charging', led: { color: 'blue', blink: 'slow' } };
    case 'finished': return { title: 'Finished', detail: `${kwh(view.energyWh)} - unplug`, led: { color: 'green', blink: 'slow' } };
    case 'charging':
      return {
        title: `Charging ${kwh(view.energyWh)}`,
        detail: `${kw(view.powerW)} ${duration(view.sessionSeconds)}`,
        led: { color: 'blue', blink: 'steady' },
      };
    case 'stopping': return { title: 'Stopping', detail: kwh(view.energyWh), led: { color: 'blue', blink: 'slow' } };
    case 'pausedByVehicle': return { title: 'Paused by vehicle', detail: kwh(view.energyWh), led: { color: 'yellow', blink: 'steady' } };
    case 'pausedByCharger': return { title: 'Paused by charger', detail: kwh(view.energyWh), led: { color: 'yellow', blink: 'slow' } };
    case 'starting': return { title: 'Starting', detail: 'Waiting for vehicle', led: { color: 'blue', blink: 'slow' } };
    case 'preparing': return { title: 'Preparing', detail: '', led: { color: 'blue', blink: 'slow' } };
  }
}

/** Lines for the station's display: one connector gets every line, several share them. */
export function displayLines(messages: readonly (DriverMessage & { connectorId: number })[], lineCount: number): string[] {
  if (messages.length === 1) return [messages[0]!.title, messages[0]!.detail].slice(0, lineCount);
  const lines: string[] = [];
  for (const m of messages) lines.push(`${m.connectorId}: ${m.title}`, `   ${m.detail}`);
  return lines.slice(0, lineCount);
}

function kwh(wh: number): string {
  return `${(wh / 1000).toFixed(2)} kWh`;
}

function kw(w: number): string {
  return `${(w / 1000).toFixed(1)} kW`;
}

function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}`;
}
