import { onScopeDispose } from 'vue'
import { database, onNewerVersion, type CommandPostDatabase } from '../db/database'
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
 * drafts are untouched: they are in localStorage.
 */
export function useDatabaseUpgrade(options: UseDatabaseUpgradeOptions): void {
  const sync = useSyncStore()
  const stop = onNewerVersion(options.db ?? database(), () => {
    // Gives up sync leadership too: with leader election (src/sync/leader.ts), stopping the engine is
    // where this tab releases its lock, so a tab on the new version takes over pushing and pulling.
    sync.stop()
    options.onUpgrade()
  })
  onScopeDispose(stop)
}
