// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp, reopenApp } from '../../tests/fixtures/app'
import { fakeStorageManager, removeStorageManager } from '../../tests/fixtures/storage'
import { readSetting } from '../db/settings'
import { useIncidentsStore } from './incidents'
import { usePersistenceStore } from './persistence'

afterEach(() => {
  usePersistenceStore().stop()
  useIncidentsStore().stop()
  removeStorageManager()
})

async function declare(title = 'Wi-Fi down in the gym') {
  const result = await useIncidentsStore().declare({ title, severity: 3 })
  expect(result.ok).toBe(true)
  await flushPromises()
}

describe('usePersistenceStore', () => {
  it('reports persistence and usage without asking for anything on load', async () => {
    const storage = fakeStorageManager({ usage: 5_000_000, quota: 1_000_000_000 })
    await freshApp()
    await declare('From a visit before this one')
    const store = usePersistenceStore()
    store.start()
    await vi.waitFor(() => expect(store.quota).toBe(1_000_000_000))
    expect(store.usage).toBe(5_000_000)
    expect(store.persisted).toBe(false)
    expect(storage.persist).not.toHaveBeenCalled()
  })

  it('asks once, when this phone declares its first incident, and remembers it asked', async () => {
    const storage = fakeStorageManager()
    const { db, dbName } = await freshApp()
    const store = usePersistenceStore()
    store.start()
    await flushPromises()
    await declare()
    await vi.waitFor(() => expect(storage.persist).toHaveBeenCalledTimes(1))
    await vi.waitFor(() => expect(store.persisted).toBe(true))
    expect(await readSetting(db, 'storagePersistAsked')).toBe(true)

    await declare('Second incident')
    expect(storage.persist).toHaveBeenCalledTimes(1)

    // The next visit: the setting holds, so another declaration does not ask again.
    store.stop()
    await reopenApp(dbName)
    const next = usePersistenceStore()
    next.start()
    await declare('Third incident')
    expect(storage.persist).toHaveBeenCalledTimes(1)
  })

  it('remembers a refusal too, and asks again only when told to (Settings)', async () => {
    const storage = fakeStorageManager({ grant: false })
    const { db } = await freshApp()
    const store = usePersistenceStore()
    expect(await store.request()).toBe(false)
    expect(await readSetting(db, 'storagePersistAsked')).toBe(true)
    expect(await store.request()).toBe(false)
    expect(storage.persist).toHaveBeenCalledTimes(1)
    await store.request(true)
    expect(storage.persist).toHaveBeenCalledTimes(2)
  })

  it('does nothing where the browser has no StorageManager', async () => {
    await freshApp()
    const store = usePersistenceStore()
    expect(store.isSupported).toBe(false)
    store.start()
    expect(await store.request(true)).toBeNull()
    expect(store.persisted).toBeNull()
  })
})
