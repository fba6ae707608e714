/**
 * Reading and writing incident events. Every write resolves only after its
 * IndexedDB transaction has committed, so the UI says "done" only for what a
 * reload would find.
 */
import type { IncidentEvent } from '../domain/events'
import type { CommandPostDatabase, StoredEvent } from './database'
import { SyncState } from './database'

const LSEQ = 'lseq'
const CLOCK = 'clock'

async function nextLseq(db: CommandPostDatabase, count: number): Promise<number> {
  const row = await db.kv.get(LSEQ)
  const start = typeof row?.value === 'number' ? row.value : 0
  await db.kv.put({ key: LSEQ, value: start + count })
  return start + 1
}

/** Store events made on this phone (pending until the server acknowledges them). */
export async function appendLocalEvents(db: CommandPostDatabase, events: readonly IncidentEvent[]): Promise<void> {
  if (events.length === 0) return
  await db.transaction('rw', db.events, db.kv, async () => {
    let lseq = await nextLseq(db, events.length)
    const rows: StoredEvent[] = events.map((event) => ({
      id: event.id, incidentId: event.incidentId, hlc: event.hlc, lseq: lseq++, sync: SyncState.pending, event,
    }))
    await db.events.bulkAdd(rows)
    await db.kv.put({ key: CLOCK, value: events[events.length - 1]!.hlc })
  })
}

/**
 * Store events that came from the server. Ones we already hold are marked
 * acknowledged (our own, echoed back) and otherwise left alone.
 * Returns the events that were new to this phone.
 */
export async function storeRemoteEvents(db: CommandPostDatabase, events: readonly IncidentEvent[], clock?: string): Promise<IncidentEvent[]> {
  if (events.length === 0) return []
  return db.transaction('rw', db.events, db.kv, async () => {
    const existing = await db.events.bulkGet(events.map((e) => e.id))
    const fresh: IncidentEvent[] = []
    const acked: string[] = []
    const seen = new Set<string>()
    events.forEach((e, i) => {
      const have = existing[i]
      if (have) { if (have.sync !== SyncState.acknowledged) acked.push(e.id) }
      else if (!seen.has(e.id)) { fresh.push(e); seen.add(e.id) }
    })
    if (fresh.length) {
      let lseq = await nextLseq(db, fresh.length)
      await db.events.bulkAdd(fresh.map((event) => ({
        id: event.id, incidentId: event.incidentId, hlc: event.hlc, lseq: lseq++, sync: SyncState.acknowledged, event,
      })))
    }
    if (acked.length) await db.events.where('id').anyOf(acked).modify({ sync: SyncState.acknowledged, rejectedReason: undefined })
    if (clock) await db.kv.put({ key: CLOCK, value: clock })
    return fresh
  })
}

export async function savedClock(db: CommandPostDatabase): Promise<string | null> {
  const row = await db.kv.get(CLOCK)
  return typeof row?.value === 'string' ? row.value : null
}

/** Events with local order after `cursor`, in that order: how readers catch up. */
export async function eventsAfter(db: CommandPostDatabase, cursor: number): Promise<StoredEvent[]> {
  return db.events.where('lseq').above(cursor).toArray()
}

export async function eventsOfIncident(db: CommandPostDatabase, incidentId: string): Promise<IncidentEvent[]> {
  const rows = await db.events.where('[incidentId+hlc]').between([incidentId, ''], [incidentId, '\uffff']).toArray()
  return rows.map((r) => r.event)
}

/** The outbox: events not yet acknowledged, oldest first. Rejected ones are not retried. */
export async function pendingEvents(db: CommandPostDatabase, limit: number): Promise<IncidentEvent[]> {
  const rows = await db.events.where('sync').equals(SyncState.pending).limit(limit).toArray()
  return rows.sort((a, b) => a.lseq - b.lseq).map((r) => r.event)
}

export async function pendingCount(db: CommandPostDatabase): Promise<number> {
  return db.events.where('sync').equals(SyncState.pending).count()
}

export async function rejectedEvents(db: CommandPostDatabase): Promise<StoredEvent[]> {
  return db.events.where('sync').equals(SyncState.rejected).toArray()
}

export async function markAcknowledged(db: CommandPostDatabase, ids: readonly string[]): Promise<void> {
  if (ids.length) await db.events.where('id').anyOf(ids as string[]).modify({ sync: SyncState.acknowledged })
}

export async function markRejected(db: CommandPostDatabase, rejected: readonly { id: string; reason: string }[]): Promise<void> {
  if (rejected.length === 0) return
  await db.transaction('rw', db.events, async () => {
    for (const r of rejected) await db.events.update(r.id, { sync: SyncState.rejected, rejectedReason: r.reason })
  })
}
