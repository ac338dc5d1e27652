// Control of the simulated hardware; present on every board, answers 409 on real hardware.
// Each mutation answers with the new SimulationSnapshot.

import type { FastifyInstance } from 'fastify';
import type { CableRatingA } from '../../hal/interfaces.js';
import type {
  EvParameters,
  SimFaultName,
  SimFaultParams,
  SimulationControl,
} from '../../hal/sim/simulation-control.js';
import { ApiError } from './errors.js';
import { parseConnectorId, unknownConnector } from './params.js';
import {
  clearFaultBodySchema,
  evPatchBodySchema,
  injectFaultBodySchema,
  mainsBodySchema,
  plugBodySchema,
  rfidBodySchema,
} from './schemas.js';

const NOT_SIMULATED = 'this board is real hardware; simulation control exists only on the sim board';

interface IdParams {
  id: string;
}
interface PlugOptions {
  cableRatingA?: CableRatingA;
  cableOhms?: number;
  ev?: Partial<EvParameters>;
}
interface FaultBody {
  connectorId: number | null;
  fault: SimFaultName;
  params?: SimFaultParams;
}

/** @param simulation the simulated board's controls; null on a real board (every route answers 409). */
export function registerSimRoutes(app: FastifyInstance, simulation: SimulationControl | null): void {
  void app.register(async (scope) => {
    // Before the body is read (after the token check), so a real board says 409 whatever
    // the body: malformed, too large or of another type.
    scope.addHook('onRequest', async () => {
      if (simulation === null) throw new ApiError(409, 'not-simulated', NOT_SIMULATED);
    });

    const sim = (): SimulationControl => {
      if (simulation === null) throw new ApiError(409, 'not-simulated', NOT_SIMULATED);
      return simulation;
    };

    /** The connector named in the path, checked against the simulated hardware. */
    const connectorOf = (s: SimulationControl, raw: string): number => {
      const id = parseConnectorId(raw);
      checkConnector(s, id);
      return id;
    };

    /** Runs a SimulationControl call; what it refuses is a 400 with its message. */
    const apply = (s: SimulationControl, action: () => void, what: string, detail: object) => {
      try {
        action();
      } catch (error) {
        throw new ApiError(400, 'rejected', error instanceof Error ? error.message : String(error));
      }
      scope.log.info(detail, `simulation: ${what}`);
      return s.snapshot();
    };

    scope.get('/', async () => sim().snapshot());

    scope.post<{ Params: IdParams; Body: PlugOptions | null }>(
      '/connectors/:id/plug',
      { schema: { body: plugBodySchema } },
      async (request) => {
        const s = sim();
        const id = connectorOf(s, request.params.id);
        const options: PlugOptions = {};
        if (request.body?.cableRatingA !== undefined) options.cableRatingA = request.body.cableRatingA;
        if (request.body?.cableOhms !== undefined) options.cableOhms = request.body.cableOhms;
        if (request.body?.ev !== undefined) options.ev = request.body.ev;
        return apply(s, () => s.plug(id, options), 'plug', { connectorId: id, ...options });
      },
    );

    scope.post<{ Params: IdParams }>('/connectors/:id/unplug', async (request) => {
      const s = sim();
      const id = connectorOf(s, request.params.id);
      return apply(s, () => s.unplug(id), 'unplug', { connectorId: id });
    });

    scope.patch<{ Params: IdParams; Body: Partial<EvParameters> }>(
      '/connectors/:id/ev',
      { schema: { body: evPatchBodySchema } },
      async (request) => {
        const s = sim();
        const id = connectorOf(s, request.params.id);
        return apply(s, () => s.setEv(id, request.body), 'set EV', { connectorId: id, ev: request.body });
      },
    );

    scope.post<{ Params: IdParams }>('/connectors/:id/pause', async (request) => {
      const s = sim();
      const id = connectorOf(s, request.params.id);
      return apply(s, () => s.pauseEv(id), 'pause EV', { connectorId: id });
    });

    scope.post<{ Params: IdParams }>('/connectors/:id/resume', async (request) => {
      const s = sim();
      const id = connectorOf(s, request.params.id);
      return apply(s, () => s.resumeEv(id), 'resume EV', { connectorId: id });
    });

    scope.post<{ Body: { uid: string } }>('/rfid', { schema: { body: rfidBodySchema } }, async (request) => {
      const s = sim();
      const uid = request.body.uid.toUpperCase();
      return apply(s, () => s.presentCard(uid), 'present card', { uid });
    });

    scope.post<{ Body: FaultBody }>('/faults', { schema: { body: injectFaultBodySchema } }, async (request) => {
      const s = sim();
      const { connectorId, fault, params } = request.body;
      if (connectorId !== null) checkConnector(s, connectorId);
      return apply(
        s,
        () => (params === undefined ? s.injectFault(connectorId, fault) : s.injectFault(connectorId, fault, params)),
        'inject fault',
        { connectorId, fault, params },
      );
    });

    const clearFault = async (request: { body: FaultBody }) => {
      const s = sim();
      const { connectorId, fault } = request.body;
      if (connectorId !== null) checkConnector(s, connectorId);
      return apply(s, () => s.clearFault(connectorId, fault), 'clear fault', { connectorId, fault });
    };
    scope.delete<{ Body: FaultBody }>('/faults', { schema: { body: clearFaultBodySchema } }, clearFault);
    scope.post<{ Body: FaultBody }>('/faults/clear', { schema: { body: clearFaultBodySchema } }, clearFault);

    scope.put<{ Body: { voltages: [number, number, number] } }>(
      '/mains',
      { schema: { body: mainsBodySchema } },
      async (request) => {
        const s = sim();
        const voltages = request.body.voltages;
        return apply(s, () => s.setMainsVoltage(voltages), 'set mains voltage', { voltages });
      },
    );
  }, { prefix: '/api/v1/sim' });
}

function checkConnector(s: SimulationControl, id: number): void {
  const known = s.snapshot().connectors.map((c) => c.connectorId);
  if (!known.includes(id)) throw unknownConnector(id, known);
}
