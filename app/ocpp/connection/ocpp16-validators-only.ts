// ocpp-rpc compiles JSON-schema validators for OCPP 1.6, 2.0.1 and 2.1 as it loads (1.6 MB of
// schemas, about 10 MB resident). The charger speaks 1.6 only: before ocpp-rpc loads, its list of
// standard validators is put in the module cache with our 1.6 one alone. Import this module
// before 'ocpp-rpc'. (Checked by test/ocpp/connection: strict mode must still reject bad frames.)
//
// Ours, not ocpp-rpc's, because of what a violation is answered with: ocpp-rpc puts the whole
// offending payload into the CALLERROR's details (a hostile payload nested 5000 deep then overflows
// JSON.stringify and the answer is never sent) and files most value errors under FormatViolation.

import { createRequire } from 'node:module';
import { schemaErrorCode, schemaErrorDescription, type SchemaError } from './schema-errors.js';

const require = createRequire(import.meta.url);

interface CompiledSchema {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
interface Ajv {
  addSchema(schemas: unknown): unknown;
  getSchema(id: string): CompiledSchema | undefined;
}
type RpcErrorFactory = (type: string, message?: string, details?: Record<string, unknown>) => Error;

/** ocpp-rpc's validator shape (lib/validator.js): a subprotocol and validate(schemaId, params). */
class Ocpp16Validator {
  readonly subprotocol = 'ocpp1.6';
  constructor(private readonly ajv: Ajv, private readonly rpcError: RpcErrorFactory) {}

  validate(schemaId: string, params: unknown): true {
    const check = this.ajv.getSchema(schemaId);
    if (!check) throw this.rpcError('ProtocolError', `no OCPP 1.6 schema ${schemaId}`);
    if (check(params)) return true;
    const first = check.errors?.[0];
    // J §4.2.3 errorDetails is free-form: nothing of the payload in it, the description names the field.
    throw this.rpcError(schemaErrorCode(first), schemaErrorDescription(first), {});
  }
}

const listPath = require.resolve('ocpp-rpc/lib/standard-validators.js');
if (!require.cache[listPath]) {
  // ocpp-rpc's own Ajv setup (formats, its lenient multipleOf), then our validate() over it.
  const { createValidator } = require('ocpp-rpc/lib/validator.js') as { createValidator: (protocol: string, schemas: unknown) => { _ajv: Ajv } };
  const { createRPCError } = require('ocpp-rpc/lib/util.js') as { createRPCError: RpcErrorFactory };
  const ajv = createValidator('ocpp1.6', require('ocpp-rpc/lib/schemas/ocpp1_6.json'))._ajv;
  if (typeof ajv?.getSchema !== 'function') throw new Error('ocpp-rpc: Validator._ajv not found (unsupported ocpp-rpc version)');
  const validators = [new Ocpp16Validator(ajv, createRPCError)];
  require.cache[listPath] = { id: listPath, filename: listPath, loaded: true, exports: validators } as unknown as NodeJS.Module;
}
