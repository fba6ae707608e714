import Dexie from 'dexie'
import { describe, expect, it } from 'vitest'
import { isStorageFull, STORAGE_FULL_MESSAGE, StorageFullError } from './storage-full'

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError')
const abort = () => new DOMException('The transaction was aborted, so the request cannot be fulfilled.', 'AbortError')

describe('isStorageFull', () => {
  it('recognises the browser’s quota error and Dexie’s wrappings of it', () => {
    expect(isStorageFull(quota())).toBe(true)
    expect(isStorageFull(new Dexie.QuotaExceededError('full', quota()))).toBe(true)
    expect(isStorageFull(new Dexie.AbortError('Transaction aborted', quota()))).toBe(true)
    expect(isStorageFull(new Dexie.BulkError('events.bulkAdd(): 1 of 1 operations failed', { 0: quota() }))).toBe(true)
    expect(isStorageFull(new StorageFullError(quota()))).toBe(true)
  })

  it('recognises Chromium’s full disk: every request aborted, the transaction says quota', () => {
    // What the issue saw: "events.bulkAdd(): 1 of 1 operations failed. Errors: AbortError…"
    expect(isStorageFull(new Dexie.BulkError('events.bulkAdd(): 1 of 1 operations failed', { 0: abort() }))).toBe(true)
    expect(isStorageFull(new Dexie.AbortError('Transaction aborted', abort()), quota())).toBe(true)
    expect(isStorageFull(new DOMException('Encountered full disk while committing transaction.', 'AbortError'))).toBe(
      true,
    )
  })

  it('leaves other failures alone', () => {
    expect(isStorageFull(new DOMException('Key already exists', 'ConstraintError'))).toBe(false)
    expect(isStorageFull(new Dexie.AbortError('Transaction aborted', abort()))).toBe(false)
    expect(
      isStorageFull(
        new Dexie.BulkError('2 of 2 operations failed', { 0: abort(), 1: new DOMException('x', 'ConstraintError') }),
      ),
    ).toBe(false)
    expect(isStorageFull(new Error('Database closed'))).toBe(false)
    expect(isStorageFull(undefined)).toBe(false)
  })

  it('says it in words', () => {
    expect(new StorageFullError(quota()).message).toBe(STORAGE_FULL_MESSAGE)
  })
})
