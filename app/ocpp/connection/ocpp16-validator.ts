// Our OCPP 1.6 strict-mode validator for ocpp-rpc, given to every RPCClient (`strictModeValidators`,
// which replaces ocpp-rpc's own for 'ocpp1.6'). Ours because of what a violation is answered with:
// ocpp-rpc's puts the whole offending payload into the CALLERROR's details (a payload nested 5000
// deep then overflows JSON.stringify and the answer is never sent; a large one is echoed back) and
// files most value errors under FormatViolation. Ours: the OCPP-J 1.6 §4.2.3 code (schema-errors.ts)
// and details {}.
//
// The schemas are ocpp-rpc's, compiled at build time with its own Ajv setup (formats, its lenient
// multipleOf; tools/build/compile-schemas.ts): each is loaded when its first message comes or goes,
// never compiled at a start.

import { createRequire } from 'node:module';
import { loadCompiled } from '../../../config/compiled-schemas.js';
import { schemaErrorCode, schemaErrorDescription, type SchemaError } from './schema-errors.js';

const require = createRequire(import.meta.url);

interface CompiledSchema {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}
type RpcErrorFactory = (type: string, message?: string, details?: Record<string, unknown>) => Error;

/** ocpp-rpc's validator shape (lib/validator.js): a subprotocol and validate(schemaId, params). */
export class Ocpp16Validator {
  readonly subprotocol = 'ocpp1.6';
  constructor(
    private readonly schemas: Readonly<Record<string, () => CompiledSchema>>,
    private readonly rpcError: RpcErrorFactory,
  ) {}

  /** The ids of the schemas it knows ("urn:BootNotification.req", ...). */
  get schemaIds(): readonly string[] {
    return Object.keys(this.schemas);
  }

  validate(schemaId: string, params: unknown): true {
    const check = Object.hasOwn(this.schemas, schemaId) ? this.schemas[schemaId]!() : undefined;
    if (!check) throw this.rpcError('ProtocolError', `no OCPP 1.6 schema ${schemaId}`);
    if (check(params)) return true;
    throw this.rpcError(schemaErrorCode(check.errors?.[0]), schemaErrorDescription(check.errors?.[0]), {});
  }
}

function create(): Ocpp16Validator {
  const { createRPCError } = require('ocpp-rpc/lib/util.js') as { createRPCError: RpcErrorFactory };
  const schemas = loadCompiled<Record<string, () => CompiledSchema>>('./compiled/ocpp16/index.cjs', import.meta.url);
  return new Ocpp16Validator(schemas, createRPCError);
}

export const ocpp16Validator: Ocpp16Validator = create();
