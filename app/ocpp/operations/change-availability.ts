// ChangeAvailability (OCPP 1.6 §5.2, §6.6–6.7).

import type { AvailabilityStatus, AvailabilityType } from '../availability/availability-service.js';
import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'ChangeAvailability';

export interface ChangeAvailabilityRequest {
  readonly connectorId: number;
  readonly type: AvailabilityType;
}

export interface ChangeAvailabilityConf {
  readonly status: AvailabilityStatus;
}

export const changeAvailability: IncomingOperation = {
  action: ACTION,
  async handle(services: OcppServices, request: ChangeAvailabilityRequest): Promise<ChangeAvailabilityConf> {
    return { status: await services.availability.change(request.connectorId, request.type) };
  },
};
