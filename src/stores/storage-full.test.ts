/**
 * A phone whose storage is full: the database refuses writes with the errors
 * real browsers give, and the app names the problem instead of showing the
 * database's message, keeps what was typed, and says so in the indicator.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../tests/fixtures/app'
import { FakeSyncServer } from '../../tests/fixtures/sync-server'
import { useLogCommands } from '../composables/useLogCommands'
import { useSave } from '../composables/useSave'
import { STORAGE_FULL_MESSAGE } from '../db/storage-full'
import { useIncidentsStore } from './incidents'
import { useSyncStore } from './sync'

afterEach(() => {
  vi.restoreAllMocks()
  useSyncStore().stop()
  useIncidentsStore().stop()
})

async function phone() {
  await freshApp()
  const sync = useSyncStore()
  await sync.start({ fetch: new FakeSyncServer().fetch })
  const incidents = useIncidentsStore()
  const declared = await incidents.declare({ title: 'Core switch down', severity: 2 })
  if (!declared.ok) throw new Error(declared.reason)
  return { sync, incidents, incidentId: declared.value }
}

/** Over the origin's quota: the add itself throws QuotaExceededError. */
function overQuota() {
  return vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
  })
}

/**
 * Chromium on a full disk: the transaction aborts with QuotaExceededError as
 * its own error, and each of its requests fails with AbortError (Dexie then
 * says "events.bulkAdd(): 1 of 1 operations failed. Errors: AbortError").
 */
function diskFull() {
  const add = IDBObjectStore.prototype.add
  return vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args) {
    const request = add.apply(this, args)
    ;(this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError')
    return request
  })
}

describe('a full phone', () => {
  it.each([
    ['over its quota', overQuota],
    ['with a full disk (Chromium: requests abort)', diskFull],
  ])('%s: names the problem, keeps the text, and the indicator says phone storage problem', async (_name, fill) => {
    const { sync, incidentId } = await phone()
    await vi.waitFor(() => expect(sync.pending).toBe(1))
    expect(sync.label).toBe('Local only')
    const commands = useLogCommands()
    const save = useSave({ hint: 'Your text is still here; try again.' })
    const typed = 'Port 7 on the core switch is off'

    const disk = fill()
    let cleared = false
    const saved = await save.run(
      () => commands.logEntry(incidentId, { text: typed, kind: 'action' }),
      () => {
        cleared = true
      },
    )
    expect(saved).toBe(false)
    expect(cleared).toBe(false) // the form clears only after a save, so the text stays in the field
    expect(save.error.value).toBe(STORAGE_FULL_MESSAGE)
    expect(sync.label).toBe('Local only · phone storage problem')
    expect(useIncidentsStore().eventsOf(incidentId)).toHaveLength(1)

    // Space freed: "try again" works and the indicator says so.
    disk.mockRestore()
    expect(await save.run(() => commands.logEntry(incidentId, { text: typed, kind: 'action' }))).toBe(true)
    expect(save.error.value).toBe('')
    await vi.waitFor(() => expect(sync.pending).toBe(2))
    expect(sync.label).toBe('Local only')
  })

  it('other database failures keep their own message', async () => {
    const { incidentId } = await phone()
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('Database went away', 'UnknownError')
    })
    const save = useSave()
    await save.run(() => useLogCommands().logEntry(incidentId, { text: 'x', kind: 'action' }))
    expect(save.error.value).toMatch(/^Not saved: /)
    expect(save.error.value).not.toContain('storage is full')
    expect(useSyncStore().label).not.toContain('storage')
  })
})
