import { afterEach, describe, expect, it } from 'vitest'
import { freshApp, reopenApp } from '../../tests/fixtures/app'
import { SyncState } from '../db/database'
import { timelineItems } from '../domain/timeline'
import { useIncidentsStore } from './incidents'
import { useProfileStore } from './profile'

afterEach(() => useIncidentsStore().stop())

describe('incidents store', () => {
  it('declares, logs three entries, and finds them in order after a reload', async () => {
    const { dbName } = await freshApp()
    const store = useIncidentsStore()
    const declared = await store.declare({ title: 'Core switch down', severity: 2 })
    expect(declared.ok).toBe(true)
    const id = declared.ok ? declared.value : ''
    for (const text of ['one', 'two', 'three'])
      expect((await store.record(id, 'log.entry', { text, kind: 'action' })).ok).toBe(true)

    await reopenApp(dbName)
    const reloaded = useIncidentsStore()
    const incident = reloaded.incident(id)!
    expect(incident.title).toBe('Core switch down')
    expect([...incident.entries.values()].map((e) => e.text)).toEqual(['one', 'two', 'three'])
    expect(incident.events.map((e) => e.hlc)).toEqual([...incident.events.map((e) => e.hlc)].sort())
    expect(useProfileStore().name).toBe('Dana')
  })

  it('refuses invalid events with a reason and stores nothing', async () => {
    const { db } = await freshApp()
    const store = useIncidentsStore()
    const bad = [
      await store.declare({ title: '', severity: 2 }),
      await store.declare({ title: 'x'.repeat(201), severity: 2 }),
      await store.declare({ title: 'ok', severity: 5 as 1 }),
      await store.declare({ title: 'ok', severity: 0 as 1 }),
    ]
    expect(bad.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'payload.title: must not be empty',
      'payload.title: must be at most 200 characters',
      'payload.severity: must be 4 or less',
      'payload.severity: must be 1 or more',
    ])
    const ok = await store.declare({ title: 'fine', severity: 4 })
    const id = ok.ok ? ok.value : ''
    const empty = await store.record(id, 'log.entry', { text: '', kind: 'note' })
    const long = await store.record(id, 'log.entry', { text: 'y'.repeat(4001), kind: 'note' })
    expect(empty.ok || long.ok).toBe(false)
    expect(await db.events.count()).toBe(1)
  })

  it('will not record anything before the responder has a name', async () => {
    const { db } = await freshApp('')
    const result = await useIncidentsStore().declare({ title: 'x', severity: 1 })
    expect(result).toEqual({ ok: false, reason: 'Set your name in Settings first.' })
    expect(await db.events.count()).toBe(0)
  })

  it('sees events another tab or the sync engine stored', async () => {
    const { db } = await freshApp()
    const store = useIncidentsStore()
    const declared = await store.declare({ title: 'Shared', severity: 3 })
    const id = declared.ok ? declared.value : ''
    const other = store.incident(id)!.events[0]!
    const { storeRemoteEvents } = await import('../db/events')
    const remote = {
      ...other,
      id: 'REMOTE00001',
      type: 'log.entry' as const,
      hlc: other.hlc
        .replace(/:[^:]+$/, ':other-phone')
        .replace(/^\d{15}/, (ms) => String(Number(ms) + 5).padStart(15, '0')),
      actor: { id: 'other-phone', name: 'Sam' },
      payload: { text: 'from Sam', kind: 'observation' as const },
    }
    await storeRemoteEvents(db, [remote])
    await store.catchUp()
    expect([...store.incident(id)!.entries.values()].map((e) => e.text)).toEqual(['from Sam'])
    expect((await db.events.get('REMOTE00001'))!.sync).toBe(SyncState.acknowledged)
    // Our next event sorts after Sam's, even if our wall clock is behind.
    const mine = await store.record(id, 'log.entry', { text: 'after Sam', kind: 'action' })
    expect(mine.ok && mine.value.hlc > remote.hlc).toBe(true)
  })

  it('shows the sender the server names for our own event, once it is echoed', async () => {
    const { db } = await freshApp()
    const store = useIncidentsStore()
    const declared = await store.declare({ title: 'Echo', severity: 3 })
    const id = declared.ok ? declared.value : ''
    const mine = store.incident(id)!.events[0]!
    expect(timelineItems(store.incident(id)!)[0]!.by).toBe('Dana')
    const { storeRemoteEvents } = await import('../db/events')
    await storeRemoteEvents(db, [{ ...mine, receivedFrom: { tokenId: 3, name: 'Pat' } }])
    await store.catchUp()
    expect(store.eventsOf(id).map((e) => e.receivedFrom)).toEqual([{ tokenId: 3, name: 'Pat' }])
    expect(timelineItems(store.incident(id)!)[0]!.by).toBe('logged by Pat for Dana')
    expect(store.incident(id)!.title).toBe('Echo')
  })

  it('lists active incidents first, then by severity', async () => {
    await freshApp()
    const store = useIncidentsStore()
    const a = await store.declare({ title: 'low', severity: 4 })
    const b = await store.declare({ title: 'worst', severity: 1 })
    const c = await store.declare({ title: 'done', severity: 1 })
    if (!a.ok || !b.ok || !c.ok) throw new Error('declare failed')
    await store.record(c.value, 'incident.status', { status: 'resolved' })
    expect(store.incidents.map((i) => i.title)).toEqual(['worst', 'low', 'done'])
  })
})
