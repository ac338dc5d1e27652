// The payload the power-cut child enqueues: its content can be checked from its id alone.

export interface PowerCutPayload {
  readonly id: string;
  readonly pad: string;
  readonly check: number;
}

export function payloadFor(id: string, n: number): PowerCutPayload {
  const pad = 'x'.repeat((n * 37) % 300);
  return { id, pad, check: id.length * 1000 + pad.length };
}
