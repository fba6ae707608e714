/**
 * Refreshing the phone's runbook catalogue from the server (src/sync/runbook-catalogue.ts),
 * one refresh at a time: the sync engine asks after every round and on the
 * stream's runbook notice. A plain module, imported dynamically by the sync
 * store, so none of it (nor the compiler it loads on demand) is in the first screen.
 * The catalogue store (runbook-catalogue.ts) sees the result through its live query.
 */
import type { CommandPostDatabase } from '../db/database'
import type { SyncSettings } from '../db/settings'
import { singleFlight } from '../domain/single-flight'
import type { FetchLike } from '../sync/api'
import { createRunbookApi } from '../sync/runbook-api'
import { refreshRunbookCatalogue, type RefreshOutcome } from '../sync/runbook-catalogue'

/** Loads the compiler chunk (src/runbooks/compile-synced.ts); passed in so this module has no dynamic import of its own. */
export type CompilerLoader = () => Promise<typeof import('../runbooks/compile-synced')>

let pending: { db: CommandPostDatabase; settings: SyncSettings; fetch?: FetchLike; compiler: CompilerLoader } | null =
  null
let outcome: RefreshOutcome | null = null
/** Why the last refresh failed ('' when it did not): what is stored stays as it was. */
export let lastRefreshError = ''

const flight = singleFlight(async () => {
  const job = pending
  if (!job) return
  outcome = await refreshRunbookCatalogue({
    db: job.db,
    api: createRunbookApi(job.settings, job.fetch ?? ((input, init) => fetch(input, init))),
    serverUrl: job.settings.serverUrl,
    // The compiler chunk (markdown-it, sanitize-html, yaml) loads only when a version is new to this phone.
    compile: async (source, id, version) => (await job.compiler()).compileSyncedRunbook(source, id, version),
  })
})

/**
 * Check the server's catalogue now (`compiler` loads the compiler chunk, only
 * when a version is new to this phone); a call during a refresh runs one more
 * after it. Resolves with what changed, or null when it failed (the reason in
 * `lastRefreshError`; nothing stored changed). Never rejects.
 */
export async function refreshRunbooks(
  db: CommandPostDatabase,
  settings: SyncSettings,
  compiler: CompilerLoader,
  fetchFn?: FetchLike,
): Promise<RefreshOutcome | null> {
  pending = { db, settings, fetch: fetchFn, compiler }
  try {
    await flight.run()
    lastRefreshError = ''
    return outcome
  } catch (error) {
    lastRefreshError = (error as Error).message
    return null
  }
}
