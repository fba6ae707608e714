import 'fake-indexeddb/auto'
import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { makeEvent, makeIncident } from '../../tests/fixtures/events'
import type { IncidentEvent } from '../domain/events'
import { newId } from '../domain/ids'
import { overviewFromEvents } from '../domain/summary'
import { CommandPostDatabase, SyncState, type StoredEvent } from './database'
import { appendLocalEvents } from './events'
import { readIncidents, readStartData, writeSummaries } from './summaries'
import { SUMMARIES_LSEQ } from './summaries-upgrade'

let n = 0

/** Version 3 of the schema exactly as phones in the field have it. */
async function createVersion3(name: string, events: readonly IncidentEvent[]): Promise<void> {
  const v3 = new Dexie(name)
  v3.version(3).stores({
    events: 'id, [incidentId+hlc], lseq, sync, [sync+lseq]',
    kv: 'key',
    unreadable: 'key, incidentId',
  })
  const rows: StoredEvent[] = events.map((event, i) => ({
    id: event.id,
    incidentId: event.incidentId,
    hlc: event.hlc,
    lseq: i + 1,
    sync: SyncState.acknowledged,
    event,
  }))
  await v3.table('events').bulkAdd(rows)
  await v3.table('kv').put({ key: 'lseq', value: rows.length })
  v3.close()
}

/** An active incident, a resolved one, directory events, and a log entry whose declaration has not arrived. */
function phoneHistory() {
  const active = makeIncident(3)
  const resolvedId = newId()
  const resolved = [
    ...makeIncident(4, resolvedId),
    makeEvent('incident.status', { status: 'resolved' }, { incidentId: resolvedId }),
  ]
  const directory = [makeEvent('contact.saved', { name: 'ISP NOC' })]
  const waiting = [makeEvent('log.entry', { text: 'before its declaration' })]
  // Interleaved, as a pull delivers them.
  const all = [active[0]!, resolved[0]!, directory[0]!, active[1]!, ...resolved.slice(1), waiting[0]!, active[2]!]
  return { active, resolved, directory, waiting, all }
}

describe('version 5: incident summaries', () => {
  it('folds every incident a version 3 phone holds into one overview each, and sets the watermark', async () => {
    const name = `summaries-${n++}`
    const h = phoneHistory()
    await createVersion3(name, h.all)
    const db = new CommandPostDatabase(name)
    await db.open()
    expect(db.verno).toBe(5)
    const rows = await db.summaries.toArray()
    const byId = new Map(rows.map((r) => [r.id, r]))
    expect(byId.size).toBe(4)
    expect(byId.get(h.active[0]!.incidentId)!.overview).toEqual(overviewFromEvents(h.active))
    expect(byId.get(h.resolved[0]!.incidentId)!.overview!.status).toBe('resolved')
    expect(byId.get(h.resolved[0]!.incidentId)!.lseq).toBe(h.all.indexOf(h.resolved[4]!) + 1)
    expect(byId.get('directory')!.overview).toBeNull()
    expect(byId.get(h.waiting[0]!.incidentId)!.overview).toBeNull()
    expect((await db.kv.get(SUMMARIES_LSEQ))!.value).toBe(h.all.length)
    // Nothing else changed.
    expect(await db.events.count()).toBe(h.all.length)
    db.close()
  })

  it('starts from the overviews and the events of what is not resolved only', async () => {
    const name = `summaries-${n++}`
    const h = phoneHistory()
    await createVersion3(name, h.all)
    const db = new CommandPostDatabase(name)
    const start = await readStartData(db)
    expect(start.summaries).toHaveLength(4)
    expect(new Set(start.fold)).toEqual(new Set([h.active[0]!.incidentId, 'directory', h.waiting[0]!.incidentId]))
    // Each incident's events in local order, as the store ingests them.
    const [rows] = await readIncidents(db, [h.active[0]!.incidentId])
    expect(rows!.map((r) => r.event.id)).toEqual(h.active.map((e) => e.id))
    expect(rows!.map((r) => r.lseq)).toEqual([...rows!.map((r) => r.lseq)].sort((a, b) => a - b))
    expect(start.cursor).toBe(h.all.length)
    expect(start.watermark).toBe(h.all.length)
    db.close()
  })

  it('folds again at start a resolved incident that got events above the watermark (stored by a writer that keeps no summaries)', async () => {
    const name = `summaries-${n++}`
    const h = phoneHistory()
    await createVersion3(name, h.all)
    const db = new CommandPostDatabase(name)
    const late = makeEvent('log.entry', { text: 'late note' }, { incidentId: h.resolved[0]!.incidentId })
    await appendLocalEvents(db, [late])
    const start = await readStartData(db)
    expect(start.fold).toContain(late.incidentId)
    expect((await readIncidents(db, [late.incidentId]))[0]).toHaveLength(6)
    expect(start.watermark).toBe(h.all.length)
    expect(start.cursor).toBe(h.all.length + 1)
    db.close()
  })

  it('never replaces an overview folded from later events, and only raises the watermark', async () => {
    const db = new CommandPostDatabase(`summaries-${n++}`)
    const events = makeIncident(2)
    const id = events[0]!.incidentId
    const newer = overviewFromEvents(events)!
    const older = overviewFromEvents(events.slice(0, 1))!
    await writeSummaries(db, [{ id, overview: newer, lseq: 9 }], 9)
    await writeSummaries(db, [{ id, overview: older, lseq: 5 }], 5)
    expect((await db.summaries.get(id))!.overview).toEqual(newer)
    expect((await db.kv.get(SUMMARIES_LSEQ))!.value).toBe(9)
    await writeSummaries(db, [{ id, overview: older, lseq: 12 }], 12)
    expect((await db.summaries.get(id))!.overview).toEqual(older)
    expect((await db.kv.get(SUMMARIES_LSEQ))!.value).toBe(12)
    db.close()
  })
})
