// The parentIdTag last received for each recently seen idTag, in memory only. Not the Authorization
// Cache (it works with the cache disabled): it only lets a session's group be known when a
// different card is presented to stop it (§3.10).

import type { IdTagInfo } from '../ocpp-types.js';
import { idTagKey } from './id-tag-info.js';

export const PARENT_MEMORY_SIZE = 256;

export class ParentMemory {
  /** Least recently seen first. */
  private readonly parents = new Map<string, string | undefined>();

  constructor(private readonly size = PARENT_MEMORY_SIZE) {}

  remember(idTag: string, info: IdTagInfo): void {
    const key = idTagKey(idTag);
    this.parents.delete(key);
    this.parents.set(key, info.parentIdTag);
    if (this.parents.size > this.size) this.parents.delete(this.parents.keys().next().value!);
  }

  /** undefined: not seen, or seen without a parent. */
  get(idTag: string): string | undefined {
    return this.parents.get(idTagKey(idTag));
  }
}
