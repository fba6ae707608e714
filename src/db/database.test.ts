import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import type { IncidentEvent } from '../domain/events'
import { formatHlc } from '../domain/hlc'
import { CommandPostDatabase, SyncState, onNewerVersion, type StoredEvent, type SyncStateValue } from './database'
import { appendLocalEvents, pendingRows } from './events'

let n = 0

/** Version 1 of the schema exactly as phones in the field have it: the upgrade starts from this, not from today's class. */
async function createVersion1(name: string, rows: readonly StoredEvent[], lastLseq: number): Promise<void> {
  const v1 = new Dexie(name)
  v1.version(1).stores({ events: 'id, [incidentId+hlc], lseq, sync', kv: 'key' })
  await v1.table('events').bulkAdd(rows as StoredEvent[])
  await v1.table('kv').put({ key: 'lseq', value: lastLseq })
  v1.close()
}

function row(lseq: number, id: string, sync: SyncStateValue): StoredEvent {
  const event: IncidentEvent = {
    id,
    incidentId: 'INC0000001',
    type: 'log.entry',
    at: new Date(1_000 + lseq).toISOString(),
    hlc: formatHlc({ ms: 1_000 + lseq, counter: 0, node: 'phone' }),
    actor: { id: 'phone', name: 'Dana' },
    payload: { text: `entry ${lseq}`, kind: 'note' },
  }
  return { id, incidentId: event.incidentId, hlc: event.hlc, lseq, sync, event }
}

// Ids run against local order (lseq 1 has the largest id), so a read in id order, as the version 1
// outbox read was, cannot pass for oldest first.
const { pending, acknowledged, rejected } = SyncState
const STATES: SyncStateValue[] = [pending, acknowledged, pending, pending, rejected, acknowledged, pending, pending]
const ROWS = STATES.map((sync, i) => row(i + 1, `EVT${String(90 - i * 7).padStart(8, '0')}`, sync))
// Written in neither id nor lseq order.
const SCRAMBLED = [5, 2, 7, 0, 3, 6, 1, 4].map((i) => ROWS[i]!)
const OLDEST_FIRST = ROWS.filter((r) => r.sync === pending)

describe('schema upgrade from version 1 (adds the [sync+lseq] outbox index)', () => {
  it('keeps every row and reads the outbox oldest first, whole and page by page', async () => {
    const name = `upgrade-test-${n++}`
    await createVersion1(name, SCRAMBLED, ROWS.length)
    const idOrder = [...OLDEST_FIRST].sort((a, b) => a.id.localeCompare(b.id))
    expect(idOrder.map((r) => r.lseq)).not.toEqual(OLDEST_FIRST.map((r) => r.lseq))

    const db = new CommandPostDatabase(name)
    await db.open()
    expect(db.verno).toBe(5)
    expect(await db.events.orderBy('lseq').toArray()).toEqual(ROWS)
    expect(await pendingRows(db, 100)).toEqual(OLDEST_FIRST)
    expect(await pendingRows(db, 2)).toEqual(OLDEST_FIRST.slice(0, 2))
    db.close()
  })

  it('goes on numbering after the upgrade: an event made afterwards queues behind the old ones', async () => {
    const name = `upgrade-test-${n++}`
    await createVersion1(name, SCRAMBLED, ROWS.length)
    const db = new CommandPostDatabase(name)
    const later = row(0, 'EVT00000001', pending).event
    await appendLocalEvents(db, [later])
    const outbox = await pendingRows(db, 100)
    expect(outbox.map((r) => r.id)).toEqual([...OLDEST_FIRST.map((r) => r.id), later.id])
    expect(outbox.at(-1)!.lseq).toBe(ROWS.length + 1)
    db.close()
  })
})

describe('a newer schema opened by another tab', () => {
  it('closes this connection for good and tells, so the newer version opens', async () => {
    const name = `newer-${n++}`
    const old = new CommandPostDatabase(name)
    await old.open()
    let told = 0
    const stop = onNewerVersion(old, () => told++)
    const newer = new Dexie(name)
    newer.version(old.verno).stores({ events: 'id, [incidentId+hlc], lseq, sync, [sync+lseq]', kv: 'key' })
    newer.version(old.verno + 1).stores({ events: 'id, [incidentId+hlc], lseq, sync, [sync+lseq], incidentId' })
    // Resolves only once the old connection has closed (else it stays blocked).
    await newer.open()
    expect(told).toBe(1)
    expect(old.isOpen()).toBe(false)
    expect(newer.verno).toBe(old.verno + 1)
    // No quiet reopening at the old version, which would fail or block the newer tab.
    await expect(old.events.count()).rejects.toThrow(/closed/i)
    stop()
    newer.close()
  })
})

describe('schema upgrade from version 2 (adds the unreadable table)', () => {
  it('keeps every row and its outbox order, and starts with no unreadable events', async () => {
    const name = `upgrade-test-${n++}`
    const v2 = new Dexie(name)
    v2.version(1).stores({ events: 'id, [incidentId+hlc], lseq, sync', kv: 'key' })
    v2.version(2).stores({ events: 'id, [incidentId+hlc], lseq, sync, [sync+lseq]' })
    await v2.table('events').bulkAdd(SCRAMBLED as StoredEvent[])
    await v2.table('kv').put({ key: 'setting:cursor', value: { lastSeq: 12, lastSyncAt: null } })
    v2.close()

    const db = new CommandPostDatabase(name)
    await db.open()
    expect(db.verno).toBe(5)
    expect(await db.events.orderBy('lseq').toArray()).toEqual(ROWS)
    expect(await pendingRows(db, 100)).toEqual(OLDEST_FIRST)
    expect((await db.kv.get('setting:cursor'))!.value).toEqual({ lastSeq: 12, lastSyncAt: null })
    expect(await db.unreadable.count()).toBe(0)
    await db.unreadable.put({ key: 'EVT1', incidentId: 'INC0000001', seq: 13, raw: {}, reason: 'x', storedAt: '' })
    expect(await db.unreadable.where('incidentId').equals('INC0000001').count()).toBe(1)
    db.close()
  })
})

describe('version 4: runbook versions synced from the server', () => {
  it('opens a version 3 database with its events kept and an empty runbookVersions table', async () => {
    const name = `v3-to-v4-${n++}`
    const v3 = new Dexie(name)
    v3.version(3).stores({
      events: 'id, [incidentId+hlc], lseq, sync, [sync+lseq]',
      kv: 'key',
      unreadable: 'key, incidentId',
    })
    await v3.table('events').bulkAdd(ROWS.slice(0, 2))
    v3.close()
    const db = new CommandPostDatabase(name)
    expect(await db.events.count()).toBe(2)
    expect(await db.runbookVersions.count()).toBe(0)
    await db.runbookVersions.put({ id: 'a', version: 1, page: {}, text: '', storedAt: '2026-12-01T00:00:00Z' })
    expect((await db.runbookVersions.where('id').equals('a').toArray()).map((r) => r.version)).toEqual([1])
    db.close()
  })
})
