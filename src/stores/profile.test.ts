// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CommandPostDatabase, replaceDatabase } from '../db/database'
import { readSetting, writeSetting } from '../db/settings'
import { useProfileStore } from './profile'

let n = 0
let db: CommandPostDatabase

beforeEach(() => {
  db = new CommandPostDatabase(`profile-${Date.now()}-${n++}`)
  replaceDatabase(db)
  setActivePinia(createPinia())
})

afterEach(() => localStorage.clear())

/** A new page on the same phone: new stores, same storage. */
const restart = () => setActivePinia(createPinia())

describe('profile store', () => {
  it('starts a returning phone with the name it had last time, before the database is read', async () => {
    const first = useProfileStore()
    expect(await first.saveName('Dana')).toBeNull()
    restart()
    const next = useProfileStore()
    expect(next.restoreFromLastStart()).toBe(true)
    expect(next.name).toBe('Dana')
    expect(next.deviceId).toBe(first.deviceId)
    expect(next.loaded).toBe(false)
  })

  it('takes the database’s word over the copy once it has read it', async () => {
    const first = useProfileStore()
    await first.saveName('Dana')
    // Renamed in another tab, whose copy this tab never saw.
    await writeSetting(db, 'profile', { name: 'Dana K.', deviceId: first.deviceId })
    localStorage.setItem('command-post:profile', JSON.stringify({ name: 'Dana', deviceId: first.deviceId }))
    restart()
    const next = useProfileStore()
    next.restoreFromLastStart()
    await next.load()
    expect(next.name).toBe('Dana K.')
    expect(JSON.parse(localStorage.getItem('command-post:profile')!)).toEqual({
      name: 'Dana K.',
      deviceId: first.deviceId,
    })
  })

  it('has nothing to restore on a first visit, or from a damaged or nameless copy', () => {
    const profile = useProfileStore()
    expect(profile.restoreFromLastStart()).toBe(false)
    localStorage.setItem('command-post:profile', '{not json')
    expect(profile.restoreFromLastStart()).toBe(false)
    localStorage.setItem('command-post:profile', JSON.stringify({ name: '', deviceId: 'X' }))
    expect(profile.restoreFromLastStart()).toBe(false)
    localStorage.setItem('command-post:profile', JSON.stringify({ name: 42, deviceId: 'X' }))
    expect(profile.restoreFromLastStart()).toBe(false)
    expect(profile.name).toBe('')
  })

  it('refuses an empty or overlong name, and stores nothing', async () => {
    const profile = useProfileStore()
    expect(await profile.saveName('   ')).toMatch(/Enter your name/)
    expect(await profile.saveName('x'.repeat(500))).toMatch(/at most/)
    expect(await readSetting(db, 'profile')).toBeNull()
    expect(localStorage.getItem('command-post:profile')).toBeNull()
  })
})
