// Our OCPP 1.6 strict-mode validator for ocpp-rpc, given to every RPCClient (`strictModeValidators`,
// which replaces ocpp-rpc's own for 'ocpp1.6'). Ours because of what a violation is answered with:
// ocpp-rpc's puts the whole offending payload into the CALLERROR's details (a payload nested 5000
// deep then overflows JSON.stringify and the answer is never sent; a large one is echoed back) and
// files most value errors under FormatViolation. Ours: the OCPP-J 1.6 §4.2.3 code (schema-errors.ts)
// and details {}.

import { createRequire } from 'node:module';
import { schemaErrorCode, schemaErrorDescription, type SchemaError } from './schema-errors.js';

const require = createRequire(import.meta.url);

interface CompiledSchema {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
interface Ajv {
  getSchema(id: string): CompiledSchema | undefined;
}
type RpcErrorFactory = (type: string, message?: string, details?: Record<string, unknown>) => Error;

/** ocpp-rpc's validator shape (lib/validator.js): a subprotocol and validate(schemaId, params). */
export class Ocpp16Validator {
  readonly subprotocol = 'ocpp1.6';
  constructor(private readonly ajv: Ajv, private readonly rpcError: RpcErrorFactory) {}

  validate(schemaId: string, params: unknown): true {
    const check = this.ajv.getSchema(schemaId);
    if (!check) throw this.rpcError('ProtocolError', `no OCPP 1.6 schema ${schemaId}`);
    if (check(params)) return true;
    throw this.rpcError(schemaErrorCode(check.errors?.[0]), schemaErrorDescription(check.errors?.[0]), {});
  }
}

function create(): Ocpp16Validator {
  // ocpp-rpc's own Ajv setup (the 1.6 schemas, formats, its lenient multipleOf) under our validate().
  const { createValidator } = require('ocpp-rpc/lib/validator.js') as { createValidator: (protocol: string, schemas: unknown) => { _ajv?: Ajv } };
  const { createRPCError } = require('ocpp-rpc/lib/util.js') as { createRPCError: RpcErrorFactory };
  const ajv = createValidator('ocpp1.6', require('ocpp-rpc/lib/schemas/ocpp1_6.json'))._ajv;
  if (typeof ajv?.getSchema !== 'function') throw new Error('ocpp-rpc: Validator._ajv not found (unsupported ocpp-rpc version)');
  return new Ocpp16Validator(ajv, createRPCError);
}

export const ocpp16Validator: Ocpp16Validator = create();
