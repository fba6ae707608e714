import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { CommandPostDatabase } from './database'
import { hasLocalData, localData, warmUp } from './load'
import { DATABASE_NAME } from './name'

describe('hasLocalData', () => {
  it('is false on a phone that never stored anything, and creates nothing by asking', async () => {
    const idb = new IDBFactory()
    expect(await hasLocalData(idb, null)).toBe(false)
    expect(await idb.databases()).toEqual([])
  })

  it('is true once the app database exists, and ignores other databases', async () => {
    const idb = new IDBFactory()
    await indexedDBOpen(idb, 'something-else')
    expect(await hasLocalData(idb, null)).toBe(false)
    await indexedDBOpen(idb, DATABASE_NAME)
    expect(await hasLocalData(idb, null)).toBe(true)
  })

  it('says true when the browser cannot list databases, so the caller looks instead of assuming a first visit', async () => {
    expect(await hasLocalData({} as IDBFactory)).toBe(true)
    const failing = { databases: () => Promise.reject(new Error('SecurityError')) } as unknown as IDBFactory
    expect(await hasLocalData(failing)).toBe(true)
  })

  it('trusts the hint a returning phone left, without asking the browser', async () => {
    const idb = new IDBFactory()
    const hint = new Map<string, string>()
    const storage = {
      getItem: (k: string) => hint.get(k) ?? null,
      setItem: (k: string, v: string) => void hint.set(k, v),
    }
    expect(await hasLocalData(idb, storage)).toBe(false)
    hint.set('command-post:has-local-data', '1')
    expect(await hasLocalData(idb, storage)).toBe(true)
  })
})

describe('warmUp', () => {
  const hinted = { getItem: () => '1', setItem: () => {} }

  it('opens nothing on a phone without the hint (a first visit creates no database)', async () => {
    const idb = new IDBFactory()
    warmUp({ getItem: () => null, setItem: () => {} }, idb)
    await new Promise((r) => setTimeout(r, 20))
    expect(await idb.databases()).toEqual([])
  })

  it('opens a returning phone’s database early, and steps aside for a schema upgrade', async () => {
    const idb = new IDBFactory()
    await indexedDBOpen(idb, DATABASE_NAME)
    warmUp(hinted, idb)
    await new Promise((r) => setTimeout(r, 20))
    // Dexie opening a newer schema version must not be blocked by the early connection.
    const upgraded = await new Promise<number>((resolve, reject) => {
      const request = idb.open(DATABASE_NAME, 5)
      request.onblocked = () => reject(new Error('blocked by the warm-up connection'))
      request.onsuccess = () => {
        request.result.close()
        resolve(request.result.version)
      }
    })
    expect(upgraded).toBe(5)
  })

  it('steps aside for the app’s own schema upgrade from version 1', async () => {
    const v1 = new Dexie(DATABASE_NAME)
    v1.version(1).stores({ events: 'id, [incidentId+hlc], lseq, sync', kv: 'key' })
    await v1.open()
    v1.close()
    // Hold the warm-up's request to learn when its connection is open (its own handler runs first).
    let early: IDBOpenDBRequest | undefined
    warmUp(hinted, {
      open: (name: string) => (early = indexedDB.open(name)),
    } as IDBFactory)
    await new Promise((resolve) => early!.addEventListener('success', resolve))
    const db = new CommandPostDatabase()
    const blocked = new Promise<never>((_, reject) =>
      db.on('blocked', () => reject(new Error('blocked by the warm-up connection'))),
    )
    await Promise.race([db.open(), blocked])
    expect(db.verno).toBe(5)
    expect(db.events.schema.idxByName['[sync+lseq]']).toBeDefined()
    db.close()
  })
})

describe('localData', () => {
  it('loads the database module once and hands out the same one', async () => {
    const [a, b] = await Promise.all([localData(), localData()])
    expect(a).toBe(b)
    expect(a.database()).toBeInstanceOf(CommandPostDatabase)
    expect(typeof a.liveQuery).toBe('function')
  })
})

/** Opens (creating) a database by name and closes it. */
function indexedDBOpen(idb: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = idb.open(name)
    request.onsuccess = () => {
      request.result.close()
      resolve()
    }
    request.onerror = () => reject(request.error)
  })
}
