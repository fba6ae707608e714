/**
 * Reading and writing incident events. Every write resolves only after its
 * IndexedDB transaction has committed, so the UI says "done" only for what a
 * reload would find.
 */
import type { IncidentEvent, ReceivedFrom } from '../domain/events'
import Dexie, { type Transaction } from 'dexie'
import type { CommandPostDatabase, StoredEvent } from './database'
import { SyncState } from './database'
import { isStorageFull, StorageFullError } from './storage-full'

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
 * Throws StorageFullError when the phone's storage is full (nothing is stored then).
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
  let tx: Transaction | undefined
  try {
    await appendIn(db, events, clockOffsetMs, (t) => {
      tx = t
    })
  } catch (e) {
    // The transaction's own error says "quota" when its requests only say "aborted" (Chromium, disk full).
    if (isStorageFull(e, tx?.idbtrans?.error)) throw new StorageFullError(e)
    throw e
  }
}

function appendIn(
  db: CommandPostDatabase,
  events: readonly IncidentEvent[],
  clockOffsetMs: number | null | undefined,
  seen: (tx: Transaction) => void,
): Promise<void> {
  return db.transaction('rw', db.events, db.kv, async (tx) => {
    seen(tx)
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
 * Store events that came from the server (with their `seq`, kept on the row and
 * the event). Ones we already hold are marked acknowledged (our own, echoed
 * back) and take the server's seq; their content is left alone.
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
          ...(event.seq === undefined ? {} : { seq: event.seq }),
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
      // Held already: our own, echoed back, are acknowledged now, learn their seq and who the server
      // received them from (the sender is the server's to say); the content is left alone.
      const incoming = [...failed].map((i) => candidates[i]!)
      const rows = await db.events.bulkGet(incoming.map((e) => e.id))
      const changed: StoredEvent[] = []
      const learned = new Set<StoredEvent>()
      incoming.forEach((e, i) => {
        const row = rows[i]
        if (!row) return
        const seq = e.seq ?? row.seq
        const from = e.receivedFrom
        const learns = from !== undefined && !sameSender(row.event.receivedFrom, from)
        if (row.sync === SyncState.acknowledged && row.seq === seq && !learns) return
        const { rejectedReason: _reason, requeued: _requeued, ...rest } = row
        const withSender = learns ? { ...row.event, receivedFrom: from } : row.event
        const updated: StoredEvent = {
          ...rest,
          sync: SyncState.acknowledged,
          ...(seq === undefined ? { event: withSender } : { seq, event: { ...withSender, seq } }),
        }
        if (learns) learned.add(updated)
        changed.push(updated)
      })
      // A row that learned its sender moves to the end of the local order, so readers
      // following `lseq` (the incidents store, other tabs) pick the sender up.
      let next = learned.size ? await nextLseq(db, learned.size) : 0
      for (const row of learned) row.lseq = next++
      if (changed.length) await db.events.bulkPut(changed)
    }
    if (clock) await db.kv.put({ key: CLOCK, value: clock })
    return fresh
  })
}

function sameSender(a: ReceivedFrom | undefined, b: ReceivedFrom): boolean {
  return a?.tokenId === b.tokenId && a.name === b.name
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
  if (ids.length) await db.events.where('id').anyOf(ids).modify({ sync: SyncState.acknowledged })
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
