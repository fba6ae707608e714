/**
 * The one place that recognises "this phone's storage is full". IndexedDB
 * says it in several ways: a `QuotaExceededError` (over the origin's quota),
 * Chromium's `AbortError` when the disk itself is full (the transaction's
 * requests fail with AbortError while the transaction's own error is the
 * quota one), and Dexie wraps either: `Dexie.QuotaExceededError`,
 * `Dexie.AbortError` with the DOMException as `inner`, or a `BulkError`
 * (`events.bulkAdd(): 1 of 1 operations failed…`) with them in `failures`.
 * Framework-free and without Dexie, so the first screen's code may use it.
 */

/** What a failed save says when storage is full. The form keeps the typed text. */
export const STORAGE_FULL_MESSAGE = 'Phone storage is full: free space on the phone. Your text is still here.'

/** Thrown by this folder's writes when the storage is full; `cause` is what IndexedDB (or Dexie) threw. */
export class StorageFullError extends Error {
  override readonly name = 'StorageFullError'
  constructor(cause: unknown) {
    super(STORAGE_FULL_MESSAGE, { cause })
  }
}

interface ErrorLike {
  name?: unknown
  message?: unknown
  inner?: unknown
  cause?: unknown
  failures?: unknown
  failuresByPos?: unknown
}

const QUOTA = 'QuotaExceededError'
/** An abort that names the disk or the quota in its message (Chromium: "… disk full …", "… quota …"). */
const SAYS_FULL = /quota|disk|space/i

/** The errors inside a Dexie wrapper: `inner`, `cause`, and a bulk error's failures. */
function inside(error: ErrorLike): unknown[] {
  const found: unknown[] = []
  if (error.inner) found.push(error.inner)
  if (error.cause) found.push(error.cause)
  if (Array.isArray(error.failures)) found.push(...(error.failures as unknown[]))
  else if (error.failuresByPos && typeof error.failuresByPos === 'object')
    found.push(...(Object.values(error.failuresByPos) as unknown[]))
  return found
}

function isQuota(error: unknown, depth: number): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false
  const e = error as ErrorLike
  if (e.name === QUOTA || e.name === 'StorageFullError') return true
  if (e.name === 'AbortError' && typeof e.message === 'string' && SAYS_FULL.test(e.message)) return true
  return inside(e).some((x) => isQuota(x, depth + 1))
}

/** Every failure of a bulk error, or an abort's inner error, is an AbortError: a commit the disk refused. */
function isBareAbort(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const e = error as ErrorLike
  const parts = inside(e)
  if (e.name === 'BulkError') return parts.length > 0 && parts.every((x) => (x as ErrorLike)?.name === 'AbortError')
  return false
}

/**
 * True when `error` (or the failed transaction's own `transactionError`, when
 * the caller has it) says the phone's storage is full.
 */
export function isStorageFull(error: unknown, transactionError?: unknown): boolean {
  if (isQuota(error, 0) || isQuota(transactionError, 0)) return true
  // Chromium on a full disk: the requests abort and the transaction says why only in its own error,
  // which Dexie does not always pass on. A bulk add whose every request aborted is that case.
  return isBareAbort(error)
}
