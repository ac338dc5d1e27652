// What the dev CSMS answers to each charge point-initiated CALL: one handler per action in a Map.
// Requests reach these handlers already validated against the OCPP 1.6 schemas (strict mode).

import type { BootResponseConfig, CallHandler, TagConfig } from './types.js';

export const DEV_VENDOR_ID = 'dev-csms';

/** The run-time configurable answers, shared by every charge point of one CSMS. */
export class CsmsState {
  bootResponse: BootResponseConfig;
  private readonly tags = new Map<string, { idTag: string } & TagConfig>();
  private lastTransactionId = 0;

  constructor(bootResponse: BootResponseConfig, tags: Readonly<Record<string, TagConfig>>) {
    this.bootResponse = bootResponse;
    for (const [idTag, config] of Object.entries(tags)) this.setTag(idTag, config);
  }

  /** idTag is a CiString20: compared case-insensitively. */
  setTag(idTag: string, config: TagConfig): void {
    this.tags.set(idTag.toUpperCase(), { idTag, ...config });
  }

  deleteTag(idTag: string): boolean {
    return this.tags.delete(idTag.toUpperCase());
  }

  listTags(): Record<string, TagConfig> {
    const tags: Record<string, TagConfig> = {};
    for (const { idTag, ...config } of this.tags.values()) tags[idTag] = config;
    return tags;
  }

  /** The IdTagInfo for a tag; unknown tags are Invalid. */
  idTagInfo(idTag: string): TagConfig {
    const tag = this.tags.get(idTag.toUpperCase());
    if (!tag) return { status: 'Invalid' };
    const { idTag: _name, ...config } = tag;
    return config;
  }

  nextTransactionId(): number {
    return ++this.lastTransactionId;
  }
}

const now = (): string => new Date().toISOString();
const empty = (): Record<string, never> => ({});

export function defaultHandlers(state: CsmsState): Map<string, CallHandler> {
  return new Map<string, CallHandler>([
    ['BootNotification', () => ({ ...state.bootResponse, currentTime: now() })],
    ['Heartbeat', () => ({ currentTime: now() })],
    ['StatusNotification', empty],
    ['Authorize', ({ params }) => ({ idTagInfo: state.idTagInfo(params.idTag) })],
    // A transaction id is assigned even when the tag is refused (OCPP 1.6 §6.46).
    ['StartTransaction', ({ params }) => ({ transactionId: state.nextTransactionId(), idTagInfo: state.idTagInfo(params.idTag) })],
    ['StopTransaction', ({ params }) => (typeof params.idTag === 'string' ? { idTagInfo: state.idTagInfo(params.idTag) } : {})],
    ['MeterValues', empty],
    ['DataTransfer', ({ params }) => ({ status: params.vendorId === DEV_VENDOR_ID ? 'Accepted' : 'UnknownVendorId' })],
    ['FirmwareStatusNotification', empty],
    ['DiagnosticsStatusNotification', empty],
    // Security whitepaper notifications, accepted harmlessly too.
    ['SecurityEventNotification', empty],
    ['LogStatusNotification', empty],
    ['SignedFirmwareStatusNotification', empty],
  ]);
}
