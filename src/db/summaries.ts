/**
 * Incident overviews kept on the phone (the `summaries` table, version 5).
 *
 * The events table stays the one source of truth; summaries are a cache of
 * its folds with a watermark (kv `summaries-lseq`): every event with `lseq`
 * at or below it is reflected in the summaries. Any writer (the sync engine,
 * the service worker, another tab) stores events without knowing of them; the
 * incidents store writes the overviews of what it folded, with the lseq it
 * had read up to. At start, incidents with events above the watermark are
 * folded again, so a crash or a write from a closed app can leave a summary
 * late, never wrong.
 */
import type { IncidentEvent } from '../domain/events'
import { foldedAtStart } from '../domain/summary'
import type { CommandPostDatabase, StoredEvent, StoredSummary } from './database'
import { SUMMARIES_LSEQ } from './summaries-upgrade'
import { REMOTE_REVISION } from './scope'

/** What the incidents store reads at start. */
export interface StartData {
  /** Every stored overview (incidents not folded at start are shown from these). */
  summaries: StoredSummary[]
  /**
   * The incidents to fold at start (not resolved, never declared, or changed
   * since their summary), their events read in batches by `readIncidents`.
   */
  fold: string[]
  /** The local order read up to: later events come from eventsAfter(cursor). */
  cursor: number
  /** The summaries' watermark: below `cursor` when a writer stored events without writing their summaries. */
  watermark: number
  /** The kv counter of remote rows these summaries were read at (src/db/scope.ts REMOTE_REVISION). */
  remoteRevision: unknown
}

async function numberAt(db: CommandPostDatabase, key: string): Promise<number> {
  const row = await db.kv.get(key)
  return typeof row?.value === 'number' ? row.value : 0
}

/**
 * Read the overviews and which incidents to fold, in one read transaction (a
 * consistent picture: an event written meanwhile has a higher lseq, and
 * reaches the store again from `eventsAfter(cursor)`).
 */
export function readStartData(db: CommandPostDatabase): Promise<StartData> {
  return db.transaction('r', db.events, db.kv, db.summaries, async () => {
    const [summaries, watermark, cursor, remoteRow] = await Promise.all([
      db.summaries.toArray(),
      numberAt(db, SUMMARIES_LSEQ),
      numberAt(db, 'lseq'),
      db.kv.get(REMOTE_REVISION),
    ])
    const fold = new Set<string>()
    const remote = new Set<string>()
    for (const s of summaries)
      if (s.remote) remote.add(s.id)
      else if (foldedAtStart(s.overview)) fold.add(s.id)
    // Changed since their summary was written (by a tab that closed, or the service worker): folded again.
    // Not a remote one: the few events it has here are not all of it (src/db/scope.ts).
    await db.events
      .where('lseq')
      .above(watermark)
      .each((row) => void (remote.has(row.incidentId) || fold.add(row.incidentId)))
    return { summaries, fold: [...fold], cursor, watermark, remoteRevision: remoteRow?.value }
  })
}

/**
 * Every stored row of each of these incidents, each list in local order,
 * from one read transaction whose queries run side by side: a phone folding
 * thousands of incidents at start pays one round trip per batch, not one
 * per incident.
 */
export function readIncidents(db: CommandPostDatabase, ids: readonly string[]): Promise<StoredEvent[][]> {
  return db.transaction('r', db.events, () =>
    Promise.all(ids.map(async (id) => (await incidentRows(db, id)).sort((a, b) => a.lseq - b.lseq))),
  )
}

/** Every stored row of one incident (by the `[incidentId+hlc]` index). */
export function incidentRows(db: CommandPostDatabase, incidentId: string): Promise<StoredEvent[]> {
  return db.events.where('[incidentId+hlc]').between([incidentId, ''], [incidentId, '\uffff']).toArray()
}

/** Every stored event of one incident, in local order (opening an incident not folded at start). */
export async function incidentEventsInOrder(db: CommandPostDatabase, incidentId: string): Promise<IncidentEvent[]> {
  const rows = await incidentRows(db, incidentId)
  return rows.sort((a, b) => a.lseq - b.lseq).map((r) => r.event)
}

/**
 * Store overviews folded from every event up to `upTo` (lseq), and raise the
 * watermark to it. A row already stored from a later read (another tab ahead
 * of this one) is kept. Resolves once committed.
 */
export async function writeSummaries(
  db: CommandPostDatabase,
  summaries: readonly StoredSummary[],
  upTo: number,
): Promise<void> {
  await db.transaction('rw', db.summaries, db.kv, async () => {
    if (summaries.length) {
      const held = await db.summaries.bulkGet(summaries.map((s) => s.id))
      // A remote row is the server's overview of events this phone does not hold: only scope.ts changes it.
      const newer = summaries.filter((s, i) => !held[i] || (!held[i].remote && held[i].lseq <= s.lseq))
      if (newer.length) await db.summaries.bulkPut(newer)
    }
    if (upTo > (await numberAt(db, SUMMARIES_LSEQ))) await db.kv.put({ key: SUMMARIES_LSEQ, value: upTo })
  })
}

/** The kv key of the saved incident search index. */
const SEARCH_INDEX = 'incident-search-index'

/** The incident search index as last saved (opaque JSON data, checked by its reader), or null. */
export async function readSearchIndex(db: CommandPostDatabase): Promise<unknown> {
  return (await db.kv.get(SEARCH_INDEX))?.value ?? null
}

/** Save the incident search index; resolves once committed. */
export async function writeSearchIndex(db: CommandPostDatabase, data: unknown): Promise<void> {
  await db.kv.put({ key: SEARCH_INDEX, value: data })
}
