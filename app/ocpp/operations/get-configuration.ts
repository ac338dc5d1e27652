// GetConfiguration (OCPP 1.6 §5.8, §6.24–6.25). More keys than GetConfigurationMaxKeys is an
// OccurenceConstraintViolation.

import { TooManyKeysError, type GetConfigurationResult } from '../configuration/configuration-store.js';
import { OcppHandlerError } from '../ocpp-types.js';
import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'GetConfiguration';

export interface GetConfigurationRequest {
  readonly key?: readonly string[];
}

export const getConfiguration: IncomingOperation = {
  action: ACTION,
  handle(services: OcppServices, request: GetConfigurationRequest): GetConfigurationResult {
    try {
      return services.configuration.getConfiguration(request.key);
    } catch (error) {
      if (error instanceof TooManyKeysError) throw new OcppHandlerError(error.rpcErrorCode, error.message, { max: error.max });
      throw error;
    }
  },
};
