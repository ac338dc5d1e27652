// The contactor on two GPIO lines: the coil (an output) and the mirror contact (an input).
// Translation only: the app's contactor gate times the feedback and decides what a mismatch means.
//
// Wiring rule. The mirror contact is the normally-closed auxiliary contact of IEC 60947-4-1
// Annex F: it is closed exactly when every main contact is open, and cannot close while a main
// contact is welded. Wire it so that a closed mirror contact asserts the input. Then a broken
// feedback wire, or an unpowered feedback circuit, reads "main contacts closed": with the
// contactor commanded open that is a weld, so the fault is seen rather than hidden.

import type { Contactor, Listener, SwitchPosition, Unsubscribe } from '../interfaces.js';
import type { GpioInput, GpioOutput } from './gpio-line.js';

export class GpioContactor implements Contactor {
  /**
   * @param coil asserted = coil energised = contacts commanded closed
   * @param mirror asserted = mirror (NC auxiliary) contact closed = main contacts open
   */
  constructor(
    private readonly coil: GpioOutput,
    private readonly mirror: GpioInput,
  ) {}

  close(): void {
    this.coil.set(true);
  }

  open(): void {
    this.coil.set(false);
  }

  get commanded(): SwitchPosition {
    return this.coil.asserted ? 'closed' : 'open';
  }

  readFeedback(): SwitchPosition {
    return mainContacts(this.mirror.read());
  }

  onFeedback(listener: Listener<SwitchPosition>): Unsubscribe {
    return this.mirror.onChange((mirrorClosed) => listener(mainContacts(mirrorClosed)));
  }
}

function mainContacts(mirrorClosed: boolean): SwitchPosition {
  return mirrorClosed ? 'open' : 'closed';
}
