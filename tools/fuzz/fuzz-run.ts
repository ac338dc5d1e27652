// Drives a fuzz run against a charger connected to a HostileBackend and checks every answer: each
// CALL's answer arrives with its id and is the one fuzz-frames.ts expects, nothing is answered that
// should not be, and the link drops only where the run made it drop (and is back afterwards).
// A few link-breaking events are spread over the run: Soft Resets, a frame over ws's hard limit,
// invalid UTF-8, and a Soft Reset racing the closing link (the charger's end closing, the socket
// erroring under it).

import { fuzzFrame, type Expectation, type FuzzFrame } from './fuzz-frames.js';
import type { Answer, HostileBackend } from './hostile-backend.js';
import { seededRandom } from '../seeded-random.js';

export interface FuzzOptions {
  readonly seed: number;
  readonly frames: number;
  /** CALLs in flight before the run waits for answers. */
  readonly window?: number;
  /** How long an expected answer, or a reconnect, may take (real ms) before the run fails. */
  readonly patienceMs?: number;
}

export interface FuzzReport {
  readonly seed: number;
  readonly framesSent: number;
  readonly answersChecked: number;
  /** Expected answers lost with a link the run broke on purpose. */
  readonly lostToLinkDrops: number;
  readonly linkDrops: number;
  readonly elapsedMs: number;
  /** Empty when every check held. */
  readonly failures: readonly string[];
  readonly labels: Readonly<Record<string, number>>;
}

type LinkEvent = 'soft-reset' | 'over-ws-limit' | 'invalid-utf8' | 'reset-racing-close';
const LINK_EVENTS: readonly LinkEvent[] = ['soft-reset', 'over-ws-limit', 'invalid-utf8', 'reset-racing-close'];
/** More than ws's hard cap in the charger (app/ocpp/connection: 1 MiB for the default 64 KiB limit). */
const OVER_WS_LIMIT_BYTES = 1024 * 1024 + 64;
const MAX_FAILURES = 20;

interface Pending {
  readonly expect: Exclude<Expectation, { kind: 'none' }>;
  readonly label: string;
  readonly connection: number;
}

export async function runFuzz(backend: HostileBackend, options: FuzzOptions): Promise<FuzzReport> {
  const rng = seededRandom(options.seed);
  const window = options.window ?? 64;
  const patienceMs = options.patienceMs ?? 15_000;
  const failures: string[] = [];
  const labels: Record<string, number> = {};
  const pending = new Map<string, Pending>();
  let answersChecked = 0;
  let lostToLinkDrops = 0;
  let linkDrops = 0;
  let framesSent = 0;
  /** The link is expected to drop (a link event was sent on this connection). */
  let dropExpectedOn = 0;
  const fail = (why: string) => failures.length < MAX_FAILURES && failures.push(why);
  /** Wakes drain() when an answer or a disconnect changed `pending`. */
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  /** Waits until at most `target` answers are outstanding. */
  const drain = async (target: number): Promise<void> => {
    while (pending.size > target) {
      const progressed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          wake = undefined;
          resolve(false);
        }, patienceMs);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (!progressed) {
        const [id, entry] = pending.entries().next().value!;
        fail(`${entry.label} ${id.slice(0, 60)}: no answer within ${patienceMs} ms (${pending.size} outstanding)`);
        pending.clear();
      }
    }
  };

  const onAnswer = (id: string, answer: Answer) => {
    backend.takeAnswer(id);
    const entry = pending.get(id);
    notify();
    if (!entry) return fail(`answer to ${id.slice(0, 60)}, which expects none or was answered already: ${JSON.stringify(answer).slice(0, 200)}`);
    pending.delete(id);
    answersChecked++;
    const problem = check(entry.expect, answer);
    if (problem) fail(`${entry.label} ${id.slice(0, 60)}: ${problem}`);
  };
  const onDisconnect = ({ connection, code }: { connection: number; code: number }) => {
    linkDrops++;
    if (dropExpectedOn !== connection) fail(`link ${connection} dropped (code ${code}) with no reason given by the run`);
    for (const [id, entry] of pending) {
      if (entry.connection !== connection) continue;
      pending.delete(id);
      if (dropExpectedOn === connection) lostToLinkDrops++;
      else fail(`${entry.label} ${id.slice(0, 60)}: no answer before link ${connection} dropped`);
    }
    notify();
  };
  backend.on('answer', onAnswer);
  backend.on('disconnect', onDisconnect);

  const started = Date.now();
  const eventAt = new Map(LINK_EVENTS.map((event, i) => [Math.floor(((i + 1) * options.frames) / (LINK_EVENTS.length + 1)), event]));
  try {
    let connection = await backend.connected(0, patienceMs);
    for (let index = 0; index < options.frames && failures.length === 0; index++) {
      if (!backend.open || connection !== backend.connections) {
        connection = await backend.connected(connection, patienceMs);
      }
      const event = eventAt.get(index);
      if (event) {
        dropExpectedOn = connection;
        sendLinkEvent(backend, event, `e${index}`, pending, connection);
        labels[event] = (labels[event] ?? 0) + 1;
        framesSent++;
        connection = await backend.connected(connection, patienceMs);
        continue;
      }
      const frame = fuzzFrame(rng, index);
      labels[frame.label] = (labels[frame.label] ?? 0) + 1;
      if (frame.expect.kind !== 'none') pending.set(frame.expect.id, { expect: frame.expect, label: frame.label, connection });
      send(backend, frame);
      framesSent++;
      if (pending.size >= window) await drain(window / 2);
    }
    await drain(0);
    for (const id of backend.untakenAnswers()) fail(`answer to ${id.slice(0, 60)} never checked`);
  } catch (error) {
    fail(`run stopped: ${(error as Error).message}`);
  } finally {
    backend.off('answer', onAnswer);
    backend.off('disconnect', onDisconnect);
  }
  return { seed: options.seed, framesSent, answersChecked, lostToLinkDrops, linkDrops, elapsedMs: Date.now() - started, failures, labels };
}

function send(backend: HostileBackend, frame: FuzzFrame): void {
  backend.send(frame.data, frame.binary);
}

function sendLinkEvent(backend: HostileBackend, event: LinkEvent, id: string, pending: Map<string, Pending>, connection: number): void {
  const reset = JSON.stringify([2, id, 'Reset', { type: 'Soft' }]);
  switch (event) {
    case 'soft-reset':
      pending.set(id, { expect: { kind: 'result', id }, label: event, connection });
      backend.send(reset);
      return;
    case 'over-ws-limit':
      backend.send(JSON.stringify([2, id, 'DataTransfer', { vendorId: 'x', data: 'D'.repeat(OVER_WS_LIMIT_BYTES) }]));
      return;
    case 'invalid-utf8':
      backend.send(Buffer.concat([Buffer.from(`[2,"${id}","DataTransfer",{"vendorId":"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}]')]));
      return;
    case 'reset-racing-close':
      // The charger answers, then closes its end for the reset; a CALL and invalid UTF-8 meet the close.
      pending.set(id, { expect: { kind: 'result', id }, label: event, connection });
      pending.set(`${id}-late`, { expect: { kind: 'result', id: `${id}-late` }, label: event, connection });
      backend.onPeerClosing(() => {
        backend.send(JSON.stringify([2, `${id}-late`, 'Reset', { type: 'Soft' }]));
        backend.send(Buffer.from([0xff, 0xfe, 0xfd]));
      });
      backend.send(reset);
      return;
  }
}

function check(expect: Exclude<Expectation, { kind: 'none' }>, answer: Answer): string | undefined {
  if (expect.kind === 'result') {
    if (answer[0] !== 3) return `expected a CALLRESULT, got ${JSON.stringify(answer).slice(0, 200)}`;
    if (answer[2] === null || typeof answer[2] !== 'object' || Array.isArray(answer[2])) return `CALLRESULT payload not an object`;
    return undefined;
  }
  if (answer[0] !== 4) return `expected CALLERROR ${expect.code}, got ${JSON.stringify(answer).slice(0, 200)}`;
  if (answer.length !== 5) return `CALLERROR of ${answer.length} elements (OCPP-J §4.2.3: 5)`;
  if (answer[2] !== expect.code) return `expected CALLERROR ${expect.code}, got ${String(answer[2])}: ${String(answer[3]).slice(0, 200)}`;
  if (typeof answer[3] !== 'string' || answer[4] === null || typeof answer[4] !== 'object') return 'CALLERROR description or details of the wrong type';
  if (JSON.stringify(answer).length > 1024) return `CALLERROR of ${JSON.stringify(answer).length} characters: the payload echoed back`;
  return undefined;
}
