import { onScopeDispose } from 'vue'
import { whenLocalDataLoaded, type CommandPostDatabase } from '../stores/local-database'
import { useSyncStore } from '../stores/sync'

export interface UseDatabaseUpgradeOptions {
  /** Default: the app's database. */
  db?: CommandPostDatabase
  /** What to do once this tab's connection is closed: hold or reload (useUpdateHold's newerVersionTookOver). */
  onUpgrade: () => void
}

/**
 * Another tab opened a newer database schema (an app update): this tab closes
 * its connection so the upgrade goes on, stops syncing (its engine could no
 * longer read or write the outbox), and hands over to `onUpgrade`. Typed
 * drafts are untouched: they are in localStorage. Watches only once the
 * database code is loaded (by the stores): a tab that never opened the
 * database holds no connection to close, and the first screen loads no Dexie.
 */
export function useDatabaseUpgrade(options: UseDatabaseUpgradeOptions): void {
  const sync = useSyncStore()
  let stop: (() => void) | null = null
  let disposed = false
  whenLocalDataLoaded(({ database, onNewerVersion }) => {
    if (disposed) return
    stop = onNewerVersion(options.db ?? database(), () => {
      // Gives up sync leadership too: with leader election (src/sync/leader.ts), stopping the engine is
      // where this tab releases its lock, so a tab on the new version takes over pushing and pulling.
      sync.stop()
      options.onUpgrade()
    })
  })
  onScopeDispose(() => {
    disposed = true
    stop?.()
  })
}
