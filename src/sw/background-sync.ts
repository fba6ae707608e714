/// <reference lib="webworker" />
/**
 * Background Sync: when the page registered `push-outbox` while offline, the
 * browser wakes this worker once the network is back, and it pushes the
 * outbox from the same IndexedDB with the same code as the page (push only:
 * pulling is the page's job when it is next opened).
 */
import { database } from '../db/database'
import { OUTBOX_SYNC_TAG, pushWithSavedSettings } from '../sync/push'

/** Not in TypeScript's lib yet (Chromium-only API). */
interface SyncEvent extends ExtendableEvent {
  readonly tag: string
  readonly lastChance: boolean
}

export function registerBackgroundSync(scope: ServiceWorkerGlobalScope): void {
  scope.addEventListener('sync', (event) => {
    const sync = event as SyncEvent
    if (sync.tag !== OUTBOX_SYNC_TAG) return
    // A rejection tells the browser to try again later (with its own backoff); a refused token does not, nor
    // an answer with Retry-After: that wait is kept in IndexedDB for the page's engine (src/sync/push-hold.ts).
    sync.waitUntil(pushWithSavedSettings(database(), (input, init) => scope.fetch(input, init)).then(() => undefined))
  })
}
