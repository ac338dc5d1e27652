// The charger's Authorizer when an OCPP Central System is in charge (OCPP 1.6 §3.5, §4.1, §3.10).
//
// check(idTag):
//   online, LocalPreAuthorize and a valid Accepted cache entry → accepted at once, no Authorize.req (§9.1.13);
//   online otherwise → Authorize.req; its IdTagInfo decides and goes into the cache (§4.1, §3.5.1);
//     a cached NOT-valid id is asked about again (§3.5.1);
//   offline (not connected, or the call failed with 'offline' or 'timeout') → decideOffline.
//   A CALLERROR or an unusable answer is a refusal (source 'online'): the Central System is
//   there and did not accept the id.
// With AuthorizationCacheEnabled false the cache is neither consulted nor updated.
//
// mayStop: the same idTag may always stop, without an Authorize.req (§3.4, §4.1); another one when
// both share a parentIdTag (§3.10).

import { ACTION as AUTHORIZE, type AuthorizeConf, type AuthorizeRequest } from '../messages/authorize.js';
import type { Authorizer, AuthorizationResult } from '../../auth/authorizer.js';
import type { Clock } from '../../../hal/clock.js';
import type { ConfigurationStore } from '../configuration/configuration-store.js';
import { OcppCallError, type IdTagInfo, type OcppCaller } from '../ocpp-types.js';
import type { AuthorizationCache } from './authorization-cache.js';
import { cleanIdTagInfo, idTagInfoProblem, isValidStatus, sameIdTag } from './id-tag-info.js';
import { decideOffline, type AuthorizationCheck } from './offline-decision.js';
import { ParentMemory } from './parent-memory.js';

export type { AuthorizationCheck, AuthorizationSource } from './offline-decision.js';

export interface OcppAuthorizerOptions {
  readonly caller: OcppCaller;
  readonly cache: AuthorizationCache;
  readonly configuration: ConfigurationStore;
  /** The cache applies expiry on its own clock; kept here so both are given the same one. */
  readonly clock: Clock;
  readonly log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The failures that mean "no Central System to ask" (§3.5: offline). */
function isOffline(err: unknown): boolean {
  return err instanceof OcppCallError && (err.kind === 'offline' || err.kind === 'timeout');
}

export class OcppAuthorizer implements Authorizer {
  readonly freeCharging = false;
  /** The parentIdTag of ids seen this run, cache or not: a session's group must be known to stop it. */
  private readonly parents = new ParentMemory();

  constructor(private readonly options: OcppAuthorizerOptions) {}

  async authorize(idTag: string): Promise<AuthorizationResult> {
    return (await this.check(idTag)).info.status === 'Accepted' ? 'Accepted' : 'Invalid';
  }

  async check(idTag: string): Promise<AuthorizationCheck> {
    const { caller, configuration } = this.options;
    if (caller.online) {
      const cached = this.cached(idTag);
      if (cached?.status === 'Accepted' && configuration.boolean('LocalPreAuthorize')) return { info: cached, source: 'cache' };
      try {
        return { info: await this.askCentralSystem(idTag), source: 'online' };
      } catch (err) {
        if (!isOffline(err)) {
          this.log('Authorize failed; refusing the id', { idTag, error: String(err) });
          return { info: { status: 'Invalid' }, source: 'online' };
        }
        this.log('Authorize got no answer; deciding offline', { idTag, error: String(err) });
      }
    }
    return decideOffline(this.cached(idTag), {
      // Read again: an entry may have expired while the call was waiting.
      localAuthorizeOffline: configuration.boolean('LocalAuthorizeOffline'),
      allowOfflineTxForUnknownId: configuration.boolean('AllowOfflineTxForUnknownId'),
    });
  }

  /** An IdTagInfo from StartTransaction.conf or StopTransaction.conf (§4.8, §4.10 → §3.5.1). Never rejects. */
  learn(idTag: string, info: IdTagInfo): Promise<void> {
    this.parents.remember(idTag, info);
    return this.cacheEnabled() ? this.options.cache.update(idTag, info) : Promise.resolve();
  }

  /** ClearCache.req (§5.4): Accepted once the empty cache is durable, Rejected when the write failed. */
  async clearCache(): Promise<'Accepted' | 'Rejected'> {
    try {
      await this.options.cache.clear();
      return 'Accepted';
    } catch (err) {
      this.log('ClearCache: the cache could not be cleared', { error: String(err) });
      return 'Rejected';
    }
  }

  /**
   * Whether `presentedIdTag` may stop the session started by `sessionIdTag` (§3.10). The session's
   * parentIdTag: `sessionParentIdTag` if given, else as seen this run, else from the cache. The
   * presented card's: from a valid cache entry, else (online) from an Authorize.req for it.
   */
  async mayStop(sessionIdTag: string, presentedIdTag: string, sessionParentIdTag?: string): Promise<boolean> {
    if (sameIdTag(sessionIdTag, presentedIdTag)) return true; // §3.4: and no Authorize.req
    const group = sessionParentIdTag ?? this.parents.get(sessionIdTag) ?? this.cached(sessionIdTag)?.parentIdTag;
    if (group === undefined) return false;
    const cached = this.cached(presentedIdTag);
    if (cached && isValidStatus(cached.status) && cached.parentIdTag !== undefined) return sameIdTag(cached.parentIdTag, group);
    if (!this.options.caller.online) return false;
    try {
      const info = await this.askCentralSystem(presentedIdTag);
      return isValidStatus(info.status) && info.parentIdTag !== undefined && sameIdTag(info.parentIdTag, group);
    } catch (err) {
      this.log('Authorize for a stop failed; not stopping', { idTag: presentedIdTag, error: String(err) });
      return false;
    }
  }

  /** Authorize.req; the answer is learnt (cache written in the background, not waited for). */
  private async askCentralSystem(idTag: string): Promise<IdTagInfo> {
    const conf = await this.options.caller.call<AuthorizeConf>(AUTHORIZE, { idTag } satisfies AuthorizeRequest);
    const bad = idTagInfoProblem((conf as Partial<AuthorizeConf> | null)?.idTagInfo);
    if (bad) throw new OcppCallError('invalid-response', AUTHORIZE, `Authorize.conf has a bad idTagInfo (${bad})`);
    const info = cleanIdTagInfo(conf.idTagInfo);
    void this.learn(idTag, info);
    return info;
  }

  private cached(idTag: string): IdTagInfo | undefined {
    return this.cacheEnabled() ? this.options.cache.get(idTag) : undefined;
  }

  private cacheEnabled(): boolean {
    return this.options.configuration.boolean('AuthorizationCacheEnabled');
  }

  private log(message: string, fields: Record<string, unknown>): void {
    this.options.log?.(message, fields);
  }
}
