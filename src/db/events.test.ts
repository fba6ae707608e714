import { describe, expect, it } from 'vitest'
import { formatHlc } from '../domain/hlc'
import type { IncidentEvent } from '../domain/events'
import { CommandPostDatabase, SyncState } from './database'
import {
  acknowledgeRows,
  appendLocalEvents,
  eventsAfter,
  eventsOfIncident,
  markAcknowledged,
  markRejected,
  pendingCount,
  pendingEvents,
  pendingRows,
  savedClock,
  storeRemoteEvents,
} from './events'

let n = 0
function entry(i: number, incidentId = 'INC0000001'): IncidentEvent {
  return {
    id: `EVT${String(i).padStart(8, '0')}`,
    incidentId,
    type: 'log.entry',
    at: new Date(1_000 + i).toISOString(),
    hlc: formatHlc({ ms: 1_000 + i, counter: 0, node: 'phone' }),
    actor: { id: 'phone', name: 'Dana' },
    payload: { text: `e${i}`, kind: 'note' },
  }
}
const openDb = () => new CommandPostDatabase(`db-test-${n++}`)

describe('event storage', () => {
  it('keeps local events pending until acknowledged, in order, with the clock saved', async () => {
    const db = openDb()
    await appendLocalEvents(db, [entry(1), entry(2)])
    await appendLocalEvents(db, [entry(3)])
    expect(await pendingCount(db)).toBe(3)
    expect((await pendingEvents(db, 2)).map((e) => e.id)).toEqual(['EVT00000001', 'EVT00000002'])
    expect(await savedClock(db)).toBe(entry(3).hlc)
    await markAcknowledged(db, ['EVT00000001', 'EVT00000002'])
    expect((await pendingEvents(db, 10)).map((e) => e.id)).toEqual(['EVT00000003'])
  })

  it('acknowledges outbox rows written back whole, changing only their sync state', async () => {
    const db = openDb()
    await appendLocalEvents(db, [entry(1), entry(2), entry(3)])
    const rows = await pendingRows(db, 2)
    expect(rows.map((r) => [r.id, r.lseq])).toEqual([
      ['EVT00000001', 1],
      ['EVT00000002', 2],
    ])
    await acknowledgeRows(db, rows)
    expect((await pendingEvents(db, 10)).map((e) => e.id)).toEqual(['EVT00000003'])
    expect(await db.events.get('EVT00000002')).toEqual({ ...rows[1], sync: SyncState.acknowledged })
  })

  it('stores a page where some events are held already, and counts only the new ones as fresh', async () => {
    const db = openDb()
    await storeRemoteEvents(db, [entry(2)])
    await appendLocalEvents(db, [entry(4)])
    const fresh = await storeRemoteEvents(db, [entry(1), entry(2), entry(3), entry(4), entry(3)])
    expect(fresh.map((e) => e.id)).toEqual(['EVT00000001', 'EVT00000003'])
    expect(await db.events.count()).toBe(4)
    expect(await pendingCount(db)).toBe(0)
    const after = await eventsAfter(db, 2)
    expect(after.map((r) => r.id)).toEqual(['EVT00000001', 'EVT00000003'])
    expect(after[0]!.lseq).toBeLessThan(after[1]!.lseq)
  })

  it('keeps rejected events, with the reason, out of the outbox', async () => {
    const db = openDb()
    await appendLocalEvents(db, [entry(1)])
    await markRejected(db, [{ id: 'EVT00000001', reason: 'conflict' }])
    expect(await pendingCount(db)).toBe(0)
    const row = await db.events.get('EVT00000001')
    expect(row).toMatchObject({ sync: SyncState.rejected, rejectedReason: 'conflict' })
  })

  it('stores remote events once, and acknowledges our own when they come back', async () => {
    const db = openDb()
    await appendLocalEvents(db, [entry(1)])
    const fresh = await storeRemoteEvents(db, [entry(1), entry(2), entry(2)])
    expect(fresh.map((e) => e.id)).toEqual(['EVT00000002'])
    expect(await db.events.count()).toBe(2)
    expect(await pendingCount(db)).toBe(0)
  })

  it('gives readers everything after their cursor, in arrival order', async () => {
    const db = openDb()
    await appendLocalEvents(db, [entry(5)])
    await storeRemoteEvents(db, [entry(1)])
    const all = await eventsAfter(db, 0)
    expect(all.map((r) => [r.id, r.lseq])).toEqual([
      ['EVT00000005', 1],
      ['EVT00000001', 2],
    ])
    expect((await eventsAfter(db, 1)).map((r) => r.id)).toEqual(['EVT00000001'])
  })

  it('reads one incident in clock order', async () => {
    const db = openDb()
    await appendLocalEvents(db, [entry(3), entry(1, 'INC0000002'), entry(2)])
    expect((await eventsOfIncident(db, 'INC0000001')).map((e) => e.id)).toEqual(['EVT00000002', 'EVT00000003'])
  })

  it('refuses a duplicate local id and stores nothing of that batch', async () => {
    const db = openDb()
    await appendLocalEvents(db, [entry(1)])
    await expect(appendLocalEvents(db, [entry(2), entry(1)])).rejects.toThrow()
    expect(await db.events.count()).toBe(1)
  })

  it('a second connection (another tab) sees committed writes', async () => {
    const name = `db-test-${n++}`
    const first = new CommandPostDatabase(name)
    await appendLocalEvents(first, [entry(1)])
    const second = new CommandPostDatabase(name)
    expect((await eventsAfter(second, 0)).map((r) => r.id)).toEqual(['EVT00000001'])
  })
})

describe('the sender (receivedFrom)', () => {
  const dana = { tokenId: 4, name: 'Dana' }

  it('keeps the sender of a pulled event with it', async () => {
    const db = openDb()
    await storeRemoteEvents(db, [{ ...entry(1), receivedFrom: dana }])
    expect((await db.events.get('EVT00000001'))!.event.receivedFrom).toEqual(dana)
  })

  it('teaches an echoed own event its sender, acknowledges it and moves it to the end of the local order', async () => {
    const db = openDb()
    await appendLocalEvents(db, [entry(1), entry(2)])
    await storeRemoteEvents(db, [{ ...entry(1), receivedFrom: dana }])
    const row = (await db.events.get('EVT00000001'))!
    expect(row).toMatchObject({ sync: SyncState.acknowledged, event: { receivedFrom: dana } })
    expect(row).not.toHaveProperty('rejectedReason')
    expect((await eventsAfter(db, 2)).map((r) => r.id)).toEqual(['EVT00000001'])
    // Told again, nothing changes: no write, no move.
    await storeRemoteEvents(db, [{ ...entry(1), receivedFrom: dana }])
    expect((await db.events.get('EVT00000001'))!.lseq).toBe(row.lseq)
    expect((await db.events.get('EVT00000002'))!.sync).toBe(SyncState.pending)
  })
})
