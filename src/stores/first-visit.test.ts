/**
 * A first visit (main.ts): the welcome screen shows before any database code
 * has loaded or opened, and the first save opens it, with nothing lost.
 */
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { CommandPostDatabase, replaceDatabase } from '../db/database'
import { readSetting } from '../db/settings'
import { useIncidentsStore } from './incidents'
import { useProfileStore } from './profile'

let n = 0
function firstVisit(): CommandPostDatabase {
  const db = new CommandPostDatabase(`first-visit-${Date.now()}-${n++}`)
  replaceDatabase(db)
  setActivePinia(createPinia())
  return db
}

afterEach(() => useIncidentsStore().stop())

describe('a first visit', () => {
  it('saves the name without a prior load, creating the device id in the same go', async () => {
    const db = firstVisit()
    const profile = useProfileStore()
    expect(profile.loaded).toBe(false)
    expect(await profile.saveName('  Dana  ')).toBeNull()
    expect(profile.name).toBe('Dana')
    expect(profile.deviceId).toMatch(/^[0-9A-Z]{26}$/)
    expect(await readSetting(db, 'profile')).toEqual({ name: 'Dana', deviceId: profile.deviceId })
  })

  it('reads the profile once however often it is asked for', async () => {
    firstVisit()
    const profile = useProfileStore()
    await Promise.all([profile.load(), profile.load(), profile.load()])
    const id = profile.deviceId
    await profile.load()
    expect(profile.deviceId).toBe(id)
  })

  it('shows an empty list at once, and the first declaration opens the database and is stored', async () => {
    const db = firstVisit()
    const incidents = useIncidentsStore()
    incidents.markNothingStored()
    expect(incidents.ready).toBe(true)
    expect(incidents.incidents).toEqual([])
    await useProfileStore().saveName('Dana')
    // No start() yet: the first record opens the database itself.
    const declared = await incidents.declare({ title: 'Wi-Fi down in B block', severity: 2 })
    expect(declared.ok).toBe(true)
    expect(incidents.incidents.map((i) => i.title)).toEqual(['Wi-Fi down in B block'])
    expect(await db.events.count()).toBe(1)
    // A later start() (main.ts, once the page is idle) changes nothing.
    await incidents.start()
    expect(incidents.incidents).toHaveLength(1)
  })

  it('opens once when start() and a first record race', async () => {
    const db = firstVisit()
    const incidents = useIncidentsStore()
    await useProfileStore().saveName('Dana')
    const [, declared] = await Promise.all([
      incidents.start(),
      incidents.declare({ title: 'Printer queue stuck', severity: 4 }),
    ])
    expect(declared.ok).toBe(true)
    expect(incidents.incidents).toHaveLength(1)
    expect(await db.events.count()).toBe(1)
  })
})
