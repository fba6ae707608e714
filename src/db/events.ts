/**
 * Reading and writing incident events. Every write resolves only after its
 * IndexedDB transaction has committed, so the UI says "done" only for what a
 * reload would find.
 */
import type { IncidentEvent } from '../domain/events'
import Dexie from 'dexie'
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

/**
 * Store events made on this phone (pending until the server acknowledges them).
 * `clockOffsetMs`: the offset from the server's clock they were stamped with,
 * null when the phone did not know it (they are corrected before their first
 * push); left out by callers that stamp no time of their own (tests, imports).
 */
export async function appendLocalEvents(
  db: CommandPostDatabase,
  events: readonly IncidentEvent[],
  clockOffsetMs?: number | null,
): Promise<void> {
  if (events.length === 0) return
  await db.transaction('rw', db.events, db.kv, async () => {
    let lseq = await nextLseq(db, events.length)
    const rows: StoredEvent[] = events.map((event) => ({
      id: event.id,
      incidentId: event.incidentId,
      hlc: event.hlc,
      lseq: lseq++,
      sync: SyncState.pending,
      ...(clockOffsetMs === undefined ? {} : { clockOffsetMs }),
      event,
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
export async function storeRemoteEvents(
  db: CommandPostDatabase,
  events: readonly IncidentEvent[],
  clock?: string,
): Promise<IncidentEvent[]> {
  if (events.length === 0) return []
  return db.transaction('rw', db.events, db.kv, async () => {
    const candidates: IncidentEvent[] = []
    const seen = new Set<string>()
    for (const e of events)
      if (!seen.has(e.id)) {
        candidates.push(e)
        seen.add(e.id)
      }
    // Add first and let the primary key find the ones we hold: a pulled page is
    // usually all new, and a lookup per id cost as much as the add itself.
    // An lseq reserved for an event we already held is skipped: readers only need order.
    let lseq = await nextLseq(db, candidates.length)
    const failed = new Set<number>()
    try {
      await db.events.bulkAdd(
        candidates.map((event) => ({
          id: event.id,
          incidentId: event.incidentId,
          hlc: event.hlc,
          lseq: lseq++,
          sync: SyncState.acknowledged,
          event,
        })),
      )
    } catch (e) {
      // Caught inside the transaction, a BulkError leaves the other adds in place.
      if (!(e instanceof Dexie.BulkError)) throw e
      for (const [pos, failure] of Object.entries(e.failuresByPos)) {
        if (failure.name !== 'ConstraintError') throw failure
        failed.add(Number(pos))
      }
    }
    const fresh = failed.size ? candidates.filter((_, i) => !failed.has(i)) : candidates
    if (failed.size) {
      // Held already: our own, echoed back, are acknowledged now; others are left alone.
      const held = [...failed].map((i) => candidates[i]!.id)
      const rows = await db.events.bulkGet(held)
      const acked = held.filter((_, i) => rows[i] && rows[i].sync !== SyncState.acknowledged)
      if (acked.length)
        await db.events.where('id').anyOf(acked).modify({ sync: SyncState.acknowledged, rejectedReason: undefined })
    }
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
  return (await pendingRows(db, limit)).map((r) => r.event)
}

/** The outbox as stored rows, so the pusher can write them back acknowledged without reading them again. */
export async function pendingRows(db: CommandPostDatabase, limit: number): Promise<StoredEvent[]> {
  // The [sync+lseq] index hands pending rows over in local order, so the limit keeps the oldest ones.
  return db.events
    .where('[sync+lseq]')
    .between([SyncState.pending, Dexie.minKey], [SyncState.pending, Dexie.maxKey])
    .limit(limit)
    .toArray()
}

export async function pendingCount(db: CommandPostDatabase): Promise<number> {
  return db.events.where('sync').equals(SyncState.pending).count()
}

export async function rejectedEvents(db: CommandPostDatabase): Promise<StoredEvent[]> {
  return db.events.where('sync').equals(SyncState.rejected).toArray()
}

export async function markAcknowledged(db: CommandPostDatabase, ids: readonly string[]): Promise<void> {
  if (ids.length)
    await db.events
      .where('id')
      .anyOf(ids as string[])
      .modify({ sync: SyncState.acknowledged })
}

/**
 * Write outbox rows back as given (the pusher marking them sent, or moving
 * their stamps). Rows whose event changed (`changed` ids) get a new local
 * order, in the order given, so every reader following `lseq` (the incidents
 * store, other tabs) reads them again and replaces what it held.
 * Returns the rows as written.
 */
export async function rewriteOutboxRows(
  db: CommandPostDatabase,
  rows: readonly StoredEvent[],
  changed: ReadonlySet<string> = new Set(),
): Promise<StoredEvent[]> {
  if (rows.length === 0) return []
  return db.transaction('rw', db.events, db.kv, async () => {
    let lseq = changed.size ? await nextLseq(db, changed.size) : 0
    const written = rows.map((r) => (changed.has(r.id) ? { ...r, hlc: r.event.hlc, lseq: lseq++ } : r))
    await db.events.bulkPut(written)
    return written
  })
}

/**
 * Acknowledge outbox rows read by pendingRows: one bulk put of the rows in hand,
 * where finding each by id again cost a read per row. Only `sync` changes;
 * the rest of a row never does after it is written.
 */
export async function acknowledgeRows(db: CommandPostDatabase, rows: readonly StoredEvent[]): Promise<void> {
  if (rows.length) await db.events.bulkPut(rows.map((r) => ({ ...r, sync: SyncState.acknowledged })))
}

export async function markRejected(
  db: CommandPostDatabase,
  rejected: readonly { id: string; reason: string }[],
): Promise<void> {
  if (rejected.length === 0) return
  await db.transaction('rw', db.events, async () => {
    for (const r of rejected) await db.events.update(r.id, { sync: SyncState.rejected, rejectedReason: r.reason })
  })
}
