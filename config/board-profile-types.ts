// The types of a board profile, derived from its schema (./board-profile-schema.ts), where each
// field is declared and documented once. A loaded profile is frozen, hence read-only.

import type { Static, TSchema } from '@sinclair/typebox';
import type * as schema from './board-profile-schema.js';
import type { DeepReadonly } from './schema-builders.js';

type Of<T extends TSchema> = DeepReadonly<Static<T>>;

export type GpioLineWiring = Of<typeof schema.gpioLine>;
export type GpioInputWiring = Of<typeof schema.gpioInput>;
export type I2cDeviceWiring = Of<typeof schema.i2cDevice>;
export type TemperatureWiring = Of<typeof schema.temperature>;
export type SerialLineWiring = Of<typeof schema.serialLineWiring>;
export type MeterWiring = Of<typeof schema.meter>;
export type RfidWiring = Of<typeof schema.rfid>;
export type DisplayWiring = Of<typeof schema.display>;
export type LedWiring = Of<typeof schema.led>;
export type StationWiring = Of<typeof schema.station>;
export type DirectConnectorWiring = Of<typeof schema.directConnector>;
export type CoprocessorConnectorWiring = Of<typeof schema.coprocessorConnector>;
export type WatchdogWiring = Of<typeof schema.watchdog>;
export type CoilInterlocks = Of<typeof schema.coilInterlocks>;
export type SimBoardProfile = Of<typeof schema.simProfile>;
export type DirectBoardProfile = Of<typeof schema.directProfile>;
export type CoprocessorBoardProfile = Of<typeof schema.coprocessorProfile>;

export type BoardProfile = SimBoardProfile | DirectBoardProfile | CoprocessorBoardProfile;
export type BoardDriver = BoardProfile['driver'];
