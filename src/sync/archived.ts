/**
 * Opening an archived incident (scoped sync, ./scope.ts): the incidents store
 * loads this module only then, so the first screen carries none of it. It
 * fetches the incident's events once from the joined server and stores them
 * held, so the incident opens offline from then on.
 */
import type { CommandPostDatabase } from '../db/database'
import { readSetting } from '../db/settings'
import { createSyncApi, SyncError } from './api'
import { fetchIncident } from './scope'

/** What the incident page says when the log could not be fetched (the page offers to try again). */
export function archivedFailureText(e: unknown): string {
  if (e instanceof SyncError && e.failure.kind === 'network')
    return 'This incident’s log is not on this phone yet, and the server cannot be reached. Try again when online.'
  if (e instanceof SyncError && (e.failure.kind === 'auth' || e.failure.kind === 'wiped'))
    return 'This incident’s log is not on this phone yet, and the server refused the access token (see Settings).'
  return `This incident’s log is not on this phone yet, and could not be fetched: ${e instanceof Error ? e.message : String(e)}`
}

/**
 * Fetch and store every event of `incidentId` from the server in the sync
 * settings. Resolves once they are committed; rejects (nothing changed) when
 * there is no server, or it cannot be reached or refuses.
 */
export async function fetchArchivedIncident(
  db: CommandPostDatabase,
  incidentId: string,
  fetchFn: (input: string, init?: RequestInit) => Promise<Response> = (input, init) => globalThis.fetch(input, init),
): Promise<void> {
  const settings = await readSetting(db, 'sync')
  if (!settings?.token) throw new Error('this phone has no server to fetch it from (Settings)')
  await fetchIncident(db, createSyncApi(settings, fetchFn), incidentId, Date.now())
}
