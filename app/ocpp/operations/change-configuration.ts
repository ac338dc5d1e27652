// ChangeConfiguration (OCPP 1.6 §5.3, §6.8–6.9): the configuration store checks type, range
// and access and persists; the services follow its change events.

import type { ConfigurationStatus } from '../configuration/configuration-store.js';
import type { IncomingOperation, OcppServices } from '../services.js';

export const ACTION = 'ChangeConfiguration';

export interface ChangeConfigurationRequest {
  readonly key: string;
  readonly value: string;
}

export interface ChangeConfigurationConf {
  readonly status: ConfigurationStatus;
}

export const changeConfiguration: IncomingOperation = {
  action: ACTION,
  async handle(services: OcppServices, request: ChangeConfigurationRequest): Promise<ChangeConfigurationConf> {
    return { status: await services.configuration.change(request.key, request.value) };
  },
};
