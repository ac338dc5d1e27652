// ocpp-rpc compiles JSON-schema validators for OCPP 1.6, 2.0.1 and 2.1 as it loads (1.6 MB of
// schemas, about 10 MB resident, most of the time to a BootNotification). Before ocpp-rpc loads,
// its list of standard validators is put in the module cache as stand-ins that compile ocpp-rpc's
// own validator for their protocol on first use. The charger never uses them (every client of
// ours is given our 1.6 validator explicitly, rpc-client.ts), so it compiles none; anything else
// in the process that loads ocpp-rpc (the dev CSMS in a test) still gets ocpp-rpc's standard
// validators, behaving exactly as ocpp-rpc's own. Import this module before ocpp-rpc
// (ocpp-rpc-parts.ts does).

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface RpcValidator {
  readonly subprotocol: string;
  validate(schemaId: string, params: unknown): boolean;
}

const STANDARD: ReadonlyArray<readonly [subprotocol: string, schemas: string]> = [
  ['ocpp1.6', 'ocpp-rpc/lib/schemas/ocpp1_6.json'],
  ['ocpp2.0.1', 'ocpp-rpc/lib/schemas/ocpp2_0_1.json'],
  ['ocpp2.1', 'ocpp-rpc/lib/schemas/ocpp2_1.json'],
];

function compiledOnFirstUse(subprotocol: string, schemas: string): RpcValidator {
  let real: RpcValidator | null = null;
  return {
    subprotocol,
    validate(schemaId, params) {
      if (real === null) {
        const { createValidator } = require('ocpp-rpc/lib/validator.js') as { createValidator: (p: string, json: unknown) => RpcValidator };
        real = createValidator(subprotocol, require(schemas));
      }
      return real.validate(schemaId, params);
    },
  };
}

const listPath = require.resolve('ocpp-rpc/lib/standard-validators.js');
if (!require.cache[listPath]) {
  const exports = STANDARD.map(([subprotocol, schemas]) => compiledOnFirstUse(subprotocol, schemas));
  require.cache[listPath] = { id: listPath, filename: listPath, loaded: true, exports } as unknown as NodeJS.Module;
}
