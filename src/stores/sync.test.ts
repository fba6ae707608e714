import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../tests/fixtures/app'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { readSetting } from '../db/settings'
import { useIncidentsStore } from './incidents'
import { useProfileStore } from './profile'
import { useSyncStore } from './sync'

afterEach(() => {
  useSyncStore().stop()
  useIncidentsStore().stop()
})

async function setup() {
  const world = await freshApp()
  const server = new FakeSyncServer()
  const sync = useSyncStore()
  await sync.start({ fetch: server.fetch })
  return { ...world, server, sync, incidents: useIncidentsStore() }
}

describe('sync store', () => {
  it('runs Local only without a server, with no pending count: nothing waits for a server yet', async () => {
    const { sync, incidents } = await setup()
    expect(sync.label).toBe('Local only')
    expect(sync.joined).toBe(false)
    await incidents.declare({ title: 'Printer on fire', severity: 3 })
    // Counted (Settings' "Waiting to send" once joined), but "pending" means nothing before a server is joined.
    await vi.waitFor(() => expect(sync.pending).toBe(1))
    expect(sync.label).toBe('Local only')
  })

  it('joins with a token, pushes what waited, and says Synced', async () => {
    const { sync, incidents, server, db } = await setup()
    await incidents.declare({ title: 'Gym Wi-Fi down', severity: 2 })
    const joined = await sync.join('', TEST_TOKEN)
    expect(joined.ok).toBe(true)
    await vi.waitFor(() => expect(sync.label).toBe('Synced'))
    expect(server.stored.map((e) => e.type)).toEqual(['incident.declared'])
    expect(sync.pending).toBe(0)
    expect(sync.lastSyncAt).not.toBeNull()
    expect(await readSetting(db, 'sync')).toEqual({ serverUrl: '', token: TEST_TOKEN })
  })

  it('shows a refused token in words, and the refused events count', async () => {
    const { sync, incidents, server } = await setup()
    const declared = await incidents.declare({ title: 'Badge readers offline', severity: 2 })
    server.refuse.set(declared.ok ? incidents.eventsOf(declared.value)[0]!.id : '', 'conflict')
    await sync.join('', TEST_TOKEN)
    await vi.waitFor(() => expect(sync.label).toBe('Synced · 1 refused by server'))
    expect(sync.rejectedCount).toBe(1)
    expect(incidents.rejected.get(incidents.eventsOf(declared.ok ? declared.value : '')[0]!.id)).toBe('conflict')

    await sync.join('', 'revoked-token-0000000000000000000000000000')
    await vi.waitFor(() => expect(sync.problem).toBe('Access token refused — ask for a new join link.'))
    expect(sync.label).toContain('Offline')
  })

  it('starts over once a wipe has deleted the data (not before), and only once', async () => {
    const world = await freshApp()
    const server = new FakeSyncServer()
    const sync = useSyncStore()
    let eventsAtReload: number | null = null
    const reload = vi.fn(() => {
      void world.db.events.count().then((n) => (eventsAtReload = n))
    })
    await sync.start({ fetch: server.fetch, reload })
    await useIncidentsStore().declare({ title: 'Laptop lost on the train', severity: 2 })
    server.fail({ kind: 'status', status: 401, code: 'wiped' })
    await sync.join('', TEST_TOKEN)
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
    expect(sync.status.kind).toBe('wiped')
    await vi.waitFor(() => expect(eventsAtReload).toBe(0))
    expect(await readSetting(world.db, 'sync')).toBeNull()
    // Nothing else makes it start over a second time.
    await sync.syncNow()
    expect(reload).toHaveBeenCalledTimes(1)
  })

  it('refuses settings that cannot work, with the reason', async () => {
    const { sync } = await setup()
    const badUrl = await sync.join('ftp://files.example', TEST_TOKEN)
    expect(badUrl.ok ? '' : badUrl.reason).toMatch(/https:\/\//)
    const noToken = await sync.join('', '  ')
    expect(noToken.ok ? '' : noToken.reason).toMatch(/access token/)
    expect(sync.joined).toBe(false)
  })

  it('joins from a link fragment and leaves back to Local only', async () => {
    const { sync, db } = await setup()
    expect((await sync.joinFromFragment('#/join?token=nope')).ok).toBe(false)
    expect((await sync.joinFromFragment(`#/join?token=${TEST_TOKEN}`)).ok).toBe(true)
    await vi.waitFor(() => expect(sync.label).toBe('Synced'))
    expect(sync.serverUrl).toBe('')
    await sync.leave()
    expect(sync.label).toBe('Local only')
    expect(sync.joined).toBe(false)
    expect(await readSetting(db, 'sync')).toBeNull()
  })

  it('offers the name a join link was issued for on a phone with none, and never replaces a name', async () => {
    await freshApp('')
    const server = new FakeSyncServer()
    const sync = useSyncStore()
    await sync.start({ fetch: server.fetch })
    expect((await sync.joinFromFragment(`#/join?token=${TEST_TOKEN}&name=Dana%20S`)).ok).toBe(true)
    const profile = useProfileStore()
    expect(profile.suggestedName).toBe('Dana S')
    expect(profile.hasName).toBe(false) // offered, not saved: the person confirms it

    await profile.saveName('Dana')
    await sync.joinWithLink(`https://elsewhere.example/#/join?token=${TEST_TOKEN}&name=Sam`)
    expect(profile.suggestedName).toBe('Dana S')
    expect(profile.name).toBe('Dana')
  })
})
