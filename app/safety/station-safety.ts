// Station safety: the station-wide interlocks (emergency stop, protective earth, enclosure
// temperature) under one safety supervisor. A station fault opens every connector's contactor at
// once, before the supervisor has even seen it; its state then reaches each connector's machine.

import type { Actor } from 'xstate';
import type { Clock } from '../../hal/clock.js';
import type { BoardHardware } from '../../hal/interfaces.js';
import type { SafetyConfig } from '../../config/charger-config.js';
import type { DerateLevel } from '../../state-machines/current-limit.js';
import { FAULTS, FAULT_NAMES, type FaultName } from '../../state-machines/faults.js';
import type { FaultState, SafetySupervisorMachine } from '../../state-machines/safety-supervisor.js';
import type { FaultReporter, FaultValues } from './fault-reporter.js';
import type { SoftwareFaultHandler } from './fail-safe.js';
import { createFaultSupervisor } from './fault-supervisor.js';
import { TemperatureGuard } from './temperature-guard.js';
import { watchStationInputs } from './station-inputs.js';

export const STATION_FAULTS = FAULT_NAMES.filter((name) => FAULTS[name].scope === 'station');

/** What station safety tells each connector (app/connector/connector.ts fits). */
export interface GuardedConnector {
  /** Opens the contactor now, without waiting for the machine. */
  openNow(): void;
  setStation(faults: readonly FaultState[], derate: DerateLevel): void;
}

export interface StationSafetyOptions {
  readonly safety: SafetyConfig;
  readonly hardware: BoardHardware;
  readonly clock: Clock;
  readonly connectors: readonly GuardedConnector[];
  readonly disabledInterlocks: ReadonlySet<FaultName>;
  readonly onSoftwareFault: SoftwareFaultHandler;
  /** A station fault's state changed (for the fault log). */
  readonly onFaultChanged: (fault: FaultName, previous: FaultState | null, next: FaultState | null, values: FaultValues) => void;
  /** The station's faults changed. */
  readonly onChanged: () => void;
}

export class StationSafety {
  private readonly supervisor: Actor<SafetySupervisorMachine>;
  private readonly enclosure: TemperatureGuard;
  private readonly values = new Map<FaultName, FaultValues>();
  private readonly disposers: (() => void)[] = [];
  private current: FaultState[] = [];

  constructor(private readonly options: StationSafetyOptions) {
    const { safety, hardware, clock, connectors, disabledInterlocks } = options;
    const reporter: FaultReporter = {
      raise: (fault, values) => {
        if (disabledInterlocks.has(fault)) return;
        for (const connector of connectors) connector.openNow();
        this.values.set(fault, values);
        this.supervisor.send({ type: 'RAISE', fault, at: clock.now() });
      },
      clear: (fault) => this.supervisor.send({ type: 'CLEAR', fault, at: clock.now() }),
    };
    const overrides = safety.emergencyStopLatches ? { EmergencyStop: 'latched' as const } : {};
    const supervisor = createFaultSupervisor({
      faults: STATION_FAULTS,
      overrides,
      safety,
      clock,
      where: 'station safety supervisor',
      onFaults: (faults) => this.onFaults(faults),
      onSoftwareFault: options.onSoftwareFault,
    });
    this.supervisor = supervisor.actor;
    this.disposers.push(supervisor.unsubscribe);
    this.supervisor.start();

    this.enclosure = new TemperatureGuard(
      hardware.enclosureTemperature,
      safety,
      { overTemperature: 'EnclosureOverTemperature', sensorFailure: null },
      reporter,
      () => this.push(),
    );
    this.disposers.push(() => this.enclosure.dispose());
    this.disposers.push(...watchStationInputs(hardware, reporter));
  }

  get faults(): readonly FaultState[] {
    return this.current;
  }

  /** Tells every connector the station's faults and the enclosure's derating. */
  push(): void {
    // The enclosure guard reports its first level from its constructor, before it is assigned.
    const derate: DerateLevel = this.enclosure?.derateLevel ?? 'none';
    for (const connector of this.options.connectors) connector.setStation(this.current, derate);
  }

  /** Technician reset: clears latched station faults whose condition is gone; returns them. */
  reset(): FaultName[] {
    const latched = this.current.filter((f) => f.latched).map((f) => f.fault);
    this.supervisor.send({ type: 'RESET' });
    const still = new Set(this.current.filter((f) => f.latched).map((f) => f.fault));
    return latched.filter((fault) => !still.has(fault));
  }

  stop(): void {
    for (const dispose of this.disposers) dispose();
    this.supervisor.stop();
  }

  private onFaults(next: FaultState[]): void {
    const previous = new Map(this.current.map((f) => [f.fault, f]));
    this.current = next;
    for (const state of next) {
      const before = previous.get(state.fault) ?? null;
      previous.delete(state.fault);
      if (!before || before.phase !== state.phase) this.options.onFaultChanged(state.fault, before, state, this.values.get(state.fault) ?? {});
    }
    for (const gone of previous.values()) this.options.onFaultChanged(gone.fault, gone, null, {});
    this.push();
    this.options.onChanged();
  }
}
