// ocpp-rpc compiles JSON-schema validators for OCPP 1.6, 2.0.1 and 2.1 as it loads (1.6 MB of
// schemas, about 10 MB resident). The charger speaks 1.6 only: before ocpp-rpc loads, its list of
// standard validators is put in the module cache with the 1.6 one alone. Import this module
// before 'ocpp-rpc'. (Checked by test/ocpp/connection: strict mode must still reject bad frames.)

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const listPath = require.resolve('ocpp-rpc/lib/standard-validators.js');
if (!require.cache[listPath]) {
  const { createValidator } = require('ocpp-rpc/lib/validator.js') as { createValidator: (protocol: string, schemas: unknown) => unknown };
  const validators = [createValidator('ocpp1.6', require('ocpp-rpc/lib/schemas/ocpp1_6.json'))];
  require.cache[listPath] = { id: listPath, filename: listPath, loaded: true, exports: validators } as unknown as NodeJS.Module;
}
