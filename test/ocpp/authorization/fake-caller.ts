// A scripted Central System behind the OcppCaller contract: answers Authorize.req from a table
// of IdTagInfo (by upper-case idTag), or fails, or hands the call to a custom responder.

import { OcppCallError, type CallFailureKind, type IdTagInfo, type OcppCaller } from '../../../app/ocpp/ocpp-types.js';

export class FakeCaller implements OcppCaller {
  online = true;
  readonly calls: Array<{ readonly action: string; readonly payload: unknown }> = [];
  /** Unknown ids get Invalid. */
  readonly answers = new Map<string, IdTagInfo>();
  /** Every call fails with this kind (while online). */
  failWith: CallFailureKind | null = null;
  /** Overrides the table. */
  respond: ((action: string, payload: unknown) => Promise<unknown>) | null = null;

  answer(idTag: string, info: IdTagInfo): this {
    this.answers.set(idTag.toUpperCase(), info);
    return this;
  }

  /** idTags of the Authorize.req sent so far. */
  get authorized(): string[] {
    return this.calls.filter((c) => c.action === 'Authorize').map((c) => (c.payload as { idTag: string }).idTag);
  }

  async call<T = unknown>(action: string, payload: unknown): Promise<T> {
    this.calls.push({ action, payload });
    if (!this.online) throw new OcppCallError('offline', action, 'not connected');
    if (this.respond) return (await this.respond(action, payload)) as T;
    if (this.failWith) throw new OcppCallError(this.failWith, action, `fake ${this.failWith}`, this.failWith === 'call-error' ? 'InternalError' : undefined);
    if (action !== 'Authorize') throw new OcppCallError('call-error', action, 'not scripted', 'NotImplemented');
    const { idTag } = payload as { idTag: string };
    return { idTagInfo: this.answers.get(idTag.toUpperCase()) ?? { status: 'Invalid' } } as T;
  }
}
