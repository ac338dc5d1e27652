// The residual-current module's trip signal (RDC-DD: 30 mA AC, 6 mA smooth DC; IEC 62955 scope,
// reference A5): a trip is a fault at once; the module's release clears both.

import type { ResidualCurrentTrip } from '../../hal/interfaces.js';
import type { FaultReporter } from './fault-reporter.js';

export function judgeResidualCurrent(trip: ResidualCurrentTrip | null, reporter: FaultReporter): void {
  const values = { trip };
  if (trip === 'ac') reporter.raise('ResidualCurrentAC', values);
  else if (trip === 'dc') reporter.raise('ResidualCurrentDC', values);
  else {
    reporter.clear('ResidualCurrentAC');
    reporter.clear('ResidualCurrentDC');
  }
}
