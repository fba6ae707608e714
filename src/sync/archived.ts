/**
 * Opening an archived incident (scoped sync, ./scope.ts): the incidents store
 * loads this module only then, so the first screen carries none of it. An
 * incident whose events only the server holds is fetched once from the joined
 * server and stored held, so it opens offline from then on.
 */
import type { CommandPostDatabase } from '../db/database'
import { storeIncidentEvents } from '../db/scope-writes'
import { readSetting } from '../db/settings'
import type { IncidentEvent } from '../domain/events'
import { createSyncApi, SyncError, type SyncApi } from './api'
import { fetchIncident, fetchIncidentEvents } from './scope'

/** What the incident page says (and a write to it is refused with) when the log could not be fetched. */
export function archivedFailureText(e: unknown): string {
  const start = 'This incident’s log is not on this phone yet'
  if (e instanceof SyncError && e.failure.kind === 'network')
    return `${start}, and the server cannot be reached. Try again when online.`
  if (e instanceof SyncError && (e.failure.kind === 'auth' || e.failure.kind === 'wiped'))
    return `${start}, and the server refused the access token (see Settings).`
  return `${start}, and could not be fetched: ${e instanceof Error ? e.message : String(e)}`
}

/** An archived incident's log could not be fetched; `message` is archivedFailureText's. */
export class ArchivedUnavailableError extends Error {
  override name = 'ArchivedUnavailable'
}

type FetchFn = (input: string, init?: RequestInit) => Promise<Response>
const globalFetch: FetchFn = (input, init) => globalThis.fetch(input, init)

/**
 * Fetch and store every event of `incidentId` from the server in the sync
 * settings. Resolves once they are committed; rejects (nothing changed) when
 * there is no server, or it cannot be reached or refuses.
 */
export async function fetchArchivedIncident(
  db: CommandPostDatabase,
  incidentId: string,
  fetchFn: FetchFn = globalFetch,
): Promise<void> {
  await fetchIncident(db, await joinedServer(db, fetchFn), incidentId, Date.now())
}

/** The sync API of the server this phone joined; rejects when it has none. */
async function joinedServer(db: CommandPostDatabase, fetchFn: FetchFn): Promise<SyncApi> {
  const settings = await readSetting(db, 'sync')
  if (!settings?.token) throw new Error('this phone has no server to fetch it from (Settings)')
  return createSyncApi(settings, fetchFn)
}

/**
 * Before an incident known by its overview is folded: when it is remote (only
 * the server holds its events), fetch them. Resolves at once otherwise; rejects
 * with ArchivedUnavailableError when the fetch fails.
 */
export async function fetchIfRemote(
  db: CommandPostDatabase,
  incidentId: string,
  fetchFn: FetchFn = globalFetch,
): Promise<void> {
  await (
    await fetchRemote(db, incidentId, fetchFn)
  )?.stored
}

/** A remote incident's log as fetched: `events` can be shown at once; `stored` settles once they are kept on the phone. */
export interface FetchedIncident {
  /** The events this version reads, in the server's order. */
  events: IncidentEvent[]
  /** Resolves once they (and those kept unread) are committed, the incident held; rejects with ArchivedUnavailableError. */
  stored: Promise<void>
}

/**
 * Fetch a remote incident's events and start storing them: resolves once they
 * are fetched and checked, before the write commits (an IndexedDB write waits
 * behind the sync engine's; the responder need not). Null when the incident is
 * not remote; rejects with ArchivedUnavailableError when the fetch fails.
 */
export async function fetchRemote(
  db: CommandPostDatabase,
  incidentId: string,
  fetchFn: FetchFn = globalFetch,
): Promise<FetchedIncident | null> {
  if (!(await db.summaries.get(incidentId))?.remote) return null
  try {
    const { valid, unreadable } = await fetchIncidentEvents(await joinedServer(db, fetchFn), incidentId)
    const stored = storeIncidentEvents(db, incidentId, valid, unreadable, new Date().toISOString()).catch(
      (e: unknown) => {
        throw new ArchivedUnavailableError(archivedFailureText(e))
      },
    )
    // Whoever shows the events may not wait for the write: a failure is theirs to read, never unhandled.
    stored.catch(() => {})
    return { events: valid, stored }
  } catch (e) {
    throw new ArchivedUnavailableError(archivedFailureText(e))
  }
}
