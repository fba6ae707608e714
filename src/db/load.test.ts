import 'fake-indexeddb/auto'
import { IDBFactory } from 'fake-indexeddb'
import { describe, expect, it } from 'vitest'
import { CommandPostDatabase } from './database'
import { hasLocalData, localData } from './load'
import { DATABASE_NAME } from './name'

describe('hasLocalData', () => {
  it('is false on a phone that never stored anything, and creates nothing by asking', async () => {
    const idb = new IDBFactory()
    expect(await hasLocalData(idb)).toBe(false)
    expect(await idb.databases()).toEqual([])
  })

  it('is true once the app database exists, and ignores other databases', async () => {
    const idb = new IDBFactory()
    await indexedDBOpen(idb, 'something-else')
    expect(await hasLocalData(idb)).toBe(false)
    await indexedDBOpen(idb, DATABASE_NAME)
    expect(await hasLocalData(idb)).toBe(true)
  })

  it('says true when the browser cannot list databases, so the caller looks instead of assuming a first visit', async () => {
    expect(await hasLocalData({} as IDBFactory)).toBe(true)
    const failing = { databases: () => Promise.reject(new Error('SecurityError')) } as unknown as IDBFactory
    expect(await hasLocalData(failing)).toBe(true)
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
