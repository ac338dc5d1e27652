// The parts of ocpp-rpc the charge point uses, each from its own module: its index also loads its
// server and its Ajv validator (ajv, ajv-formats: tens of ms of every start), which a charge point
// with precompiled schemas (ocpp16-validator.ts) never uses.

import { createRequire } from 'node:module';
import './ocpp16-validators-only.js'; // before ocpp-rpc's client
import type { RPCClient as RpcClientClass, RPCError as RpcErrorClass, TimeoutError as TimeoutErrorClass, createRPCError as CreateRpcError } from 'ocpp-rpc';

const require = createRequire(import.meta.url);

export const RPCClient = require('ocpp-rpc/lib/client.js') as typeof RpcClientClass;
export const { RPCError, TimeoutError } = require('ocpp-rpc/lib/errors.js') as { RPCError: typeof RpcErrorClass; TimeoutError: typeof TimeoutErrorClass };
export const { createRPCError } = require('ocpp-rpc/lib/util.js') as { createRPCError: typeof CreateRpcError };
/** A handler's answer that sends none. */
export const { NOREPLY } = require('ocpp-rpc/lib/symbols.js') as { NOREPLY: symbol };
