// ocpp-rpc compiles JSON-schema validators for OCPP 1.6, 2.0.1 and 2.1 as it loads (1.6 MB of
// schemas, about 10 MB resident). The charger speaks 1.6 only: before ocpp-rpc loads, its list of
// standard validators is put in the module cache with our 1.6 one alone. Import this module
// before ocpp-rpc (ocpp-rpc-parts.ts does). Memory only: every client is given our validator explicitly (rpc-client.ts),
// so behaviour does not depend on which module loaded ocpp-rpc first.

import { createRequire } from 'node:module';
import { ocpp16Validator } from './ocpp16-validator.js';

const require = createRequire(import.meta.url);
const listPath = require.resolve('ocpp-rpc/lib/standard-validators.js');
if (!require.cache[listPath]) {
  require.cache[listPath] = { id: listPath, filename: listPath, loaded: true, exports: [ocpp16Validator] } as unknown as NodeJS.Module;
}
