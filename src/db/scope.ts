/**
 * Scoped sync on the phone (issue #17 item 4), the reading side: what the
 * incidents store needs at start and while it follows the local order. The
 * writes (the sync engine's) are in ./scope-writes.ts, so this chunk stays small.
 *
 * Incidents held in full have every event in `events`; the others ("remote")
 * are a `summaries` row whose overview came from the server (`remote` set),
 * and at most the few events that arrived after the phone joined. kv
 * `summaries-remote` counts writes of remote rows.
 */
import type { CommandPostDatabase, StoredEvent, StoredSummary } from './database'
import { eventsAfter } from './events'

/** The kv key bumped whenever remote rows change. */
export const REMOTE_REVISION = 'summaries-remote'

/** Which of these incident ids are remote. */
export async function remoteAmong(db: CommandPostDatabase, ids: Iterable<string>): Promise<string[]> {
  const list = [...ids]
  const rows = await db.summaries.bulkGet(list)
  return list.filter((_, i) => rows[i]?.remote)
}

/**
 * Every remote row (a full read of a few thousand small rows: read when they
 * change, not at every event). One getAll, filtered here: a Dexie filter walks
 * a cursor, one round trip per row, seconds for 5,000 rows on a phone.
 */
export async function readRemoteSummaries(db: CommandPostDatabase): Promise<StoredSummary[]> {
  return (await db.summaries.toArray()).filter((row) => row.remote !== undefined)
}

/** What the incidents store reads after its cursor (src/stores/incidents.ts catchUp). */
export interface ReadAfter {
  /** Events with `lseq` above the cursor, in local order, except those of remote incidents (not all of theirs are here). */
  rows: StoredEvent[]
  /** The local order read up to. */
  last: number
  /** The remote rows' counter now. */
  remoteRevision: unknown
  /** Every remote row, when the counter is not the one asked with. */
  remote?: StoredSummary[]
}

/** Read after `cursor` in one transaction: the events to fold, and the remote rows if they changed since `remoteRevision`. */
export function readAfter(db: CommandPostDatabase, cursor: number, remoteRevision: unknown): Promise<ReadAfter> {
  return db.transaction('r', db.events, db.kv, db.summaries, async () => {
    const all = await eventsAfter(db, cursor)
    const revision = (await db.kv.get(REMOTE_REVISION))?.value
    const away = all.length ? new Set(await remoteAmong(db, new Set(all.map((r) => r.incidentId)))) : null
    return {
      rows: away?.size ? all.filter((r) => !away.has(r.incidentId)) : all,
      last: all.at(-1)?.lseq ?? cursor,
      remoteRevision: revision,
      ...(revision === remoteRevision ? {} : { remote: await readRemoteSummaries(db) }),
    }
  })
}
