/**
 * Scoped sync on the phone (issue #17 item 4), the writing side (the sync
 * engine; reads are in ./scope.ts): incidents held in full have
 * every event in `events`; the others ("remote") are a `summaries` row whose
 * overview came from the server (`remote` set), and at most the few events
 * that arrived after the phone joined. The events table stays the outbox and
 * the one source of what this phone wrote: nothing here deletes an event the
 * server has not acknowledged, and an incident with any event waiting to be
 * sent, refused, or not confirmed by the server is never made remote
 * (evictIncidents deletes the events of one only when every one is acknowledged).
 *
 * kv rows: `setting:scope` (the summaries' delta cursor, see ScopeState) and
 * `summaries-remote` (a counter bumped by every write of remote rows). Those
 * writes also move the kv `lseq` on by one (a gap in the local order, which
 * readers allow), so the incidents store, which follows `lseq`, reads them.
 */
import type { IncidentEvent } from '../domain/events'
import { overviewFromEvents, type IncidentOverview } from '../domain/summary'
import { SyncState, type CommandPostDatabase, type StoredSummary } from './database'
import { storeRemoteEvents } from './events'
import { readRemoteSummaries, REMOTE_REVISION } from './scope'
import { readSetting, writeSetting, type SyncCursor } from './settings'
import { storeUnreadable, type Unreadable } from './unreadable'

/** A summary as the server serves it (src/domain/wire.ts SummaryEntry). */
export interface RemoteSummary {
  id: string
  lastSeq: number
  overview: IncidentOverview | null
}

/** Every incident id this phone holds any event of (its own included): these are never made remote. */
export async function incidentIdsWithEvents(db: CommandPostDatabase): Promise<Set<string>> {
  const ids = new Set<string>()
  // Keys only, in [incidentId+hlc] order: no event is read.
  const keys = (await db.events.orderBy('[incidentId+hlc]').keys()) as unknown as [string, string][]
  for (const [id] of keys) ids.add(id)
  return ids
}

async function bump(db: CommandPostDatabase, key: string): Promise<void> {
  const row = await db.kv.get(key)
  await db.kv.put({ key, value: (typeof row?.value === 'number' ? row.value : 0) + 1 })
}

/** Remote rows changed: the counter, and `lseq` so readers of the local order wake up. */
async function bumpRemote(db: CommandPostDatabase): Promise<void> {
  await bump(db, REMOTE_REVISION)
  await bump(db, 'lseq')
}

/**
 * The end of a scoped join, in one transaction: the remote rows (skipping any
 * incident an event of which was stored meanwhile: it is held), the pull
 * cursor at the seq the summaries reflect, and the summaries' own cursor.
 * The events of the held incidents must be stored before (storeIncidentEvents).
 */
export async function finishJoin(
  db: CommandPostDatabase,
  remote: readonly RemoteSummary[],
  cursor: Pick<SyncCursor, 'lastSeq' | 'lastId' | 'serverId'>,
  at: string,
): Promise<void> {
  await db.transaction('rw', db.events, db.kv, db.summaries, async () => {
    const held = await incidentIdsWithEvents(db)
    const rows: StoredSummary[] = []
    for (const s of remote)
      if (s.overview && !held.has(s.id))
        rows.push({ id: s.id, overview: s.overview, lseq: 0, remote: { lastSeq: s.lastSeq } })
    await db.summaries.bulkPut(rows)
    const was = await readSetting(db, 'cursor')
    // A pull that moved the cursor meanwhile (another tab's engine) is never moved back.
    if (was.lastSeq === 0)
      await writeSetting(db, 'cursor', {
        lastSeq: cursor.lastSeq,
        lastSyncAt: at,
        ...(cursor.lastId === undefined ? {} : { lastId: cursor.lastId }),
        ...(cursor.serverId === undefined ? {} : { serverId: cursor.serverId }),
      })
    await writeSetting(db, 'scope', { upTo: cursor.lastSeq })
    await bumpRemote(db)
  })
}

/**
 * Mark a phone that pulled the whole log as scoped, its overviews (none
 * remote yet) reflecting the log up to `upTo` (the seq it has pulled to).
 * Leaves a phone already scoped, or one recovering after a server restore,
 * as it is; the check and the write are one transaction.
 */
export async function scopeFrom(db: CommandPostDatabase, upTo: number): Promise<void> {
  await db.transaction('rw', db.kv, async () => {
    const [scope, cursor] = await Promise.all([readSetting(db, 'scope'), readSetting(db, 'cursor')])
    if (scope || cursor.recovering || cursor.lastSeq < upTo) return
    await writeSetting(db, 'scope', { upTo })
  })
}

/**
 * Store every event of one incident from the server (`GET /api/incidents/:id/events`)
 * and make it held: its remote mark goes in the same transaction. The pull
 * cursor does not move (these are one incident's, not a page of the log).
 */
export async function storeIncidentEvents(
  db: CommandPostDatabase,
  incidentId: string,
  events: readonly IncidentEvent[],
  unreadable: readonly Unreadable[],
  at: string,
): Promise<void> {
  await db.transaction('rw', db.events, db.kv, db.unreadable, db.summaries, async () => {
    await storeRemoteEvents(db, events)
    await storeUnreadable(db, unreadable, at)
    const row = await db.summaries.get(incidentId)
    // lseq 0: the incidents store folds it from its events now and writes its own row. The remote
    // rows' counter is left alone: the store learns of the incident from its new events, and a bump
    // made every tab read all remote rows again (5,000 after a join) while the responder waited.
    if (row?.remote) await db.summaries.put({ id: incidentId, overview: row.overview, lseq: 0 })
  })
}

/**
 * Newer server overviews for remote incidents (a delta of `GET /api/summaries`),
 * and the summaries' cursor moved to `upTo`. Entries of held incidents are
 * ignored (their own fold is the truth). Resolves to the remote incidents that
 * are no longer resolved (reopened): the caller holds them in full.
 */
export async function updateRemoteSummaries(
  db: CommandPostDatabase,
  entries: readonly RemoteSummary[],
  upTo: number,
): Promise<string[]> {
  return db.transaction('rw', db.kv, db.summaries, async () => {
    const rows = await db.summaries.bulkGet(entries.map((e) => e.id))
    const changed: StoredSummary[] = []
    entries.forEach((e, i) => {
      const row = rows[i]
      if (!row?.remote || !e.overview || row.remote.lastSeq >= e.lastSeq) return
      changed.push({ ...row, overview: e.overview, remote: { lastSeq: e.lastSeq } })
    })
    if (changed.length) {
      await db.summaries.bulkPut(changed)
      await bumpRemote(db)
    }
    const scope = await readSetting(db, 'scope')
    if (scope && upTo > scope.upTo) await writeSetting(db, 'scope', { upTo })
    return remoteIncidentsToHold(db)
  })
}

/** Remote incidents that must be held in full: not resolved (reopened since the phone joined). */
export async function remoteIncidentsToHold(db: CommandPostDatabase): Promise<string[]> {
  const rows = await readRemoteSummaries(db)
  return rows.filter((r) => r.overview?.status !== 'resolved').map((r) => r.id)
}

/** Incidents evicted per transaction: short transactions, so a write by the page never waits long. */
const EVICT_BATCH = 50

/**
 * Turn held incidents back into remote ones (scoped sync's eviction,
 * src/sync/evict.ts): for each id, in one read-write transaction per batch,
 * its events are read and the incident is evicted only when every one of
 * them is acknowledged by the server (none pending, refused, or unconfirmed
 * after a restore: what this phone wrote is never lost or left unsent) and
 * `evictable` says yes to the overview folded from them. Its events are
 * deleted and a remote row is written with that overview, which is the
 * server's own (the same fold of the same events, src/domain/summary.ts), and
 * the highest seq known among them (a lower bound: an event this phone pushed
 * learns its seq from the pull's echo), so a later server overview replaces it.
 * Unreadable events stay (they are the server's, and a fetch stores them once).
 * Resolves to the ids evicted; a storage failure rejects with the batch undone.
 */
export async function evictIncidents(
  db: CommandPostDatabase,
  ids: readonly string[],
  evictable: (overview: IncidentOverview) => boolean,
): Promise<string[]> {
  const evicted: string[] = []
  for (let i = 0; i < ids.length; i += EVICT_BATCH) {
    const batch = ids.slice(i, i + EVICT_BATCH)
    const batchDone = await db.transaction('rw', db.events, db.kv, db.summaries, async () => {
      const done: string[] = []
      for (const id of batch) {
        const range = db.events.where('[incidentId+hlc]').between([id, ''], [id, '\uffff'])
        const rows = await range.toArray()
        if (!rows.length || rows.some((r) => r.sync !== SyncState.acknowledged)) continue
        if ((await db.summaries.get(id))?.remote) continue
        const overview = overviewFromEvents(rows.map((r) => r.event))
        if (!overview || !evictable(overview)) continue
        let lastSeq = 0
        for (const r of rows) lastSeq = Math.max(lastSeq, r.seq ?? r.event.seq ?? 0)
        await range.delete()
        await db.summaries.put({ id, overview, lseq: 0, remote: { lastSeq } })
        done.push(id)
      }
      if (done.length) await bumpRemote(db)
      return done
    })
    evicted.push(...batchDone)
  }
  return evicted
}
