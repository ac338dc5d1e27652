// The station-wide safety inputs: the emergency stop, the protective-earth monitor and, on boards
// that have one, the safety co-processor's heartbeat. Each is read as it is at start, then on
// every change; a raise opens every contactor before it returns (the station's reporter does).

import type { BoardHardware, Unsubscribe } from '../../hal/interfaces.js';
import type { FaultReporter } from './fault-reporter.js';

/** Watches the inputs; returns what stops watching them. */
export function watchStationInputs(hardware: BoardHardware, reporter: FaultReporter): Unsubscribe[] {
  const emergencyStop = (pressed: boolean) =>
    pressed ? reporter.raise('EmergencyStop', { pressed }) : reporter.clear('EmergencyStop');
  const ground = (present: boolean) =>
    present ? reporter.clear('GroundLoss') : reporter.raise('GroundLoss', { present });
  const unsubscribe = [hardware.emergencyStop.onChange(emergencyStop), hardware.groundMonitor.onChange(ground)];
  emergencyStop(hardware.emergencyStop.isPressed());
  ground(hardware.groundMonitor.isPresent());
  const link = hardware.safetyController;
  if (link) {
    // A silent co-processor may no longer protect; it drops power by itself, and so do we.
    const coprocessor = (alive: boolean) =>
      alive ? reporter.clear('SafetyControllerLost') : reporter.raise('SafetyControllerLost', { alive });
    unsubscribe.push(link.onChange(coprocessor));
    coprocessor(link.isAlive());
  }
  return unsubscribe;
}
