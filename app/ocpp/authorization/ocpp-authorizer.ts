// The charger's Authorizer when an OCPP Central System is in charge (OCPP 1.6 §3.5, §4.1, §3.10).
//
// What an id is known as locally: its Local Authorization List entry (while LocalAuthListEnabled),
// which has priority over the cache (§3.5.3), else its cache entry (while AuthorizationCacheEnabled;
// disabled, the cache is neither consulted nor updated).
//
// check(idTag):
//   listed Blocked, Expired, Invalid or past its expiryDate → refused at once, online or offline:
//     the list is the Central System's own word, changed only by it (§3.5.2, §3.5.4);
//   online, LocalPreAuthorize and known Accepted → accepted at once, no Authorize.req (§3.5, §9.1.13;
//     the StartTransaction.conf's IdTagInfo is the backend's check);
//   online otherwise → Authorize.req; its IdTagInfo decides and goes into the cache, unless the id
//     is listed (§4.1, §3.5.1, §3.5.3); a cached NOT-valid id is asked about again (§3.5.1);
//   offline (not connected, or the call failed with 'offline' or 'timeout') → decideOffline.
//   A CALLERROR or an unusable answer is a refusal (source 'online'): the Central System is
//   there and did not accept the id.
//
// learn: an IdTagInfo from the Central System whose validity contradicts the id's list entry is a
// conflict (§3.5.2), told to onListConflict's listeners (a StatusNotification LocalListConflict).
//
// mayStop: the same idTag may always stop, without an Authorize.req (§3.4, §4.1); another one when
// both share a parentIdTag (§3.10), known from the list, this run, or the cache.

import { ACTION as AUTHORIZE, type AuthorizeConf, type AuthorizeRequest } from '../messages/authorize.js';
import type { Authorizer, AuthorizationResult } from '../../auth/authorizer.js';
import type { Clock } from '../../../hal/clock.js';
import type { ConfigurationStore } from '../configuration/configuration-store.js';
import { OcppCallError, type IdTagInfo, type OcppCaller } from '../ocpp-types.js';
import type { LocalList } from '../../local-list/local-list.js';
import { toIdTagInfo } from '../local-list/list-mapping.js';
import type { AuthorizationCache } from './authorization-cache.js';
import { cleanIdTagInfo, idTagInfoProblem, isValidStatus, sameIdTag } from './id-tag-info.js';
import { decideOffline, type AuthorizationCheck, type KnownId } from './offline-decision.js';
import { ParentMemory } from './parent-memory.js';

export type { AuthorizationCheck, AuthorizationSource } from './offline-decision.js';

export interface OcppAuthorizerOptions {
  readonly caller: OcppCaller;
  readonly cache: AuthorizationCache;
  /** The Local Authorization List (consulted while LocalAuthListEnabled). */
  readonly localList: LocalList;
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
  private readonly conflictListeners = new Set<(idTag: string) => void>();

  constructor(private readonly options: OcppAuthorizerOptions) {}

  async authorize(idTag: string): Promise<AuthorizationResult> {
    return (await this.check(idTag)).info.status === 'Accepted' ? 'Accepted' : 'Invalid';
  }

  async check(idTag: string): Promise<AuthorizationCheck> {
    const { caller, configuration } = this.options;
    const listed = this.listed(idTag);
    if (listed && !isValidStatus(listed.status)) return { info: listed, source: 'local-list' };
    if (caller.online) {
      const known = this.known(idTag);
      if (known?.info.status === 'Accepted' && configuration.boolean('LocalPreAuthorize')) return known;
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
    return decideOffline(this.known(idTag), {
      // Read again: an entry may have expired (or the list changed) while the call was waiting.
      localAuthorizeOffline: configuration.boolean('LocalAuthorizeOffline'),
      allowOfflineTxForUnknownId: configuration.boolean('AllowOfflineTxForUnknownId'),
    });
  }

  /** An IdTagInfo from StartTransaction.conf or StopTransaction.conf (§4.8, §4.10 → §3.5.1). Never rejects. */
  learn(idTag: string, info: IdTagInfo): Promise<void> {
    this.parents.remember(idTag, info);
    const listed = this.listed(idTag);
    if (listed && isValidStatus(listed.status) !== isValidStatus(info.status)) {
      this.log('the Central System contradicts the local list', { idTag, listed: listed.status, received: info.status });
      for (const listener of [...this.conflictListeners]) listener(idTag);
    }
    // §3.5.3: identifiers known in the list are not added to the cache.
    return this.cacheEnabled() && !listed ? this.options.cache.update(idTag, info) : Promise.resolve();
  }

  /** §3.5.2: told when an IdTagInfo received contradicts the list (valid there, not valid here, or the reverse). */
  onListConflict(listener: (idTag: string) => void): () => void {
    this.conflictListeners.add(listener);
    return () => void this.conflictListeners.delete(listener);
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
   * parentIdTag: `sessionParentIdTag` if given, else from the list, else as seen this run, else
   * from the cache. The presented card's: from a valid list or cache entry (a listed card not
   * valid may not), else (online) from an Authorize.req for it.
   */
  async mayStop(sessionIdTag: string, presentedIdTag: string, sessionParentIdTag?: string): Promise<boolean> {
    if (sameIdTag(sessionIdTag, presentedIdTag)) return true; // §3.4: and no Authorize.req
    const group = sessionParentIdTag ?? this.groupOf(sessionIdTag);
    if (group === undefined) return false;
    const listed = this.listed(presentedIdTag);
    if (listed) return isValidStatus(listed.status) && listed.parentIdTag !== undefined && sameIdTag(listed.parentIdTag, group);
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

  /**
   * The parentIdTag of `idTag` as known here, without asking the Central System: from the Local
   * Authorization List (while LocalAuthListEnabled), else as seen this run, else from the cache.
   * Undefined when unknown or without a group. For group checks: a stop by another card (§3.10),
   * a reservation's parentIdTag (§5.13).
   */
  groupOf(idTag: string): string | undefined {
    const listed = this.listEnabled() ? this.options.localList.lookup(idTag) : undefined;
    if (listed) return listed.group; // §3.5.3: the list's word, a group or none
    return this.parents.get(idTag) ?? this.cached(idTag)?.parentIdTag;
  }

  /** The list entry (priority, §3.5.3), else the cache entry. */
  private known(idTag: string): KnownId | undefined {
    const listed = this.listed(idTag);
    if (listed) return { info: listed, source: 'local-list' };
    const cached = this.cached(idTag);
    return cached && { info: cached, source: 'cache' };
  }

  /** The list's entry as an IdTagInfo (Expired once past its date), undefined when not listed or the list is off. */
  private listed(idTag: string): IdTagInfo | undefined {
    const entry = this.listEnabled() ? this.options.localList.lookup(idTag) : undefined;
    return entry && toIdTagInfo(entry);
  }

  private cached(idTag: string): IdTagInfo | undefined {
    return this.cacheEnabled() ? this.options.cache.get(idTag) : undefined;
  }

  private listEnabled(): boolean {
    return this.options.configuration.boolean('LocalAuthListEnabled');
  }

  private cacheEnabled(): boolean {
    return this.options.configuration.boolean('AuthorizationCacheEnabled');
  }

  private log(message: string, fields: Record<string, unknown>): void {
    this.options.log?.(message, fields);
  }
}
