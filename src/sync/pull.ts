/**
 * Pulling what the server holds after our cursor, and storing streamed
 * events. The cursor moves in the same IndexedDB transaction that stores the
 * events, so a crash between the two cannot skip anything: either both are
 * saved, or neither and the same page is fetched again.
 */
import { validateEvent, type IncidentEvent } from '../domain/events'
import { PULL_LIMITS } from '../domain/wire'
import type { CommandPostDatabase } from '../db/database'
import { storeRemoteEvents } from '../db/events'
import { readSetting, writeSetting } from '../db/settings'
import type { SyncApi } from './api'

/** The most the server hands out per page: fewer round trips on a catch-up. */
export const PULL_LIMIT = PULL_LIMITS.max

export interface StoreResult {
  /** Events new to this phone. */
  fresh: IncidentEvent[]
  /** Events the server sent that this app version cannot read; skipped. */
  invalid: number
  lastSeq: number
}

/**
 * Store a page of server events and move the cursor to `lastSeq` (never
 * backwards: the stream and a pull may overlap). Invalid events are skipped
 * rather than stopping sync for good; the server validated them with the
 * same rules, so that only happens with a server newer than this app.
 */
export async function storeServerEvents(
  db: CommandPostDatabase,
  events: readonly unknown[],
  lastSeq: number,
  now: () => number = Date.now,
): Promise<StoreResult> {
  const valid: IncidentEvent[] = []
  let invalid = 0
  for (const e of events) {
    const checked = validateEvent(e)
    if (!checked.ok) {
      invalid++
      continue
    }
    // `seq` is the server's bookkeeping, not part of the event this phone keeps.
    const { seq: _seq, ...event } = checked.value
    valid.push(event)
  }
  return db.transaction('rw', db.events, db.kv, async () => {
    const fresh = await storeRemoteEvents(db, valid)
    const cursor = await readSetting(db, 'cursor')
    const next = Math.max(cursor.lastSeq, lastSeq)
    await writeSetting(db, 'cursor', { lastSeq: next, lastSyncAt: new Date(now()).toISOString() })
    return { fresh, invalid, lastSeq: next }
  })
}

export interface PullResult {
  received: number
  fresh: number
  invalid: number
  lastSeq: number
}

/** GET pages after the saved cursor until the server says there is no more. */
export async function pullAll(
  db: CommandPostDatabase,
  api: SyncApi,
  options: { limit?: number; now?: () => number } = {},
): Promise<PullResult> {
  const limit = options.limit ?? PULL_LIMIT
  let { lastSeq } = await readSetting(db, 'cursor')
  const result: PullResult = { received: 0, fresh: 0, invalid: 0, lastSeq }
  let next = api.pull(lastSeq, limit)
  for (;;) {
    const page = await next
    // Ask for the following page while this one is stored: the server and IndexedDB work at once.
    // A page after page.last is what the loop asks for next anyway (the cursor never moves back).
    const prefetch = page.more && page.last > lastSeq ? api.pull(page.last, limit) : null
    prefetch?.catch(() => {}) // awaited below; a failure while this page is stored must not go unhandled
    const stored = await storeServerEvents(db, page.events, page.last, options.now)
    result.received += page.events.length
    result.fresh += stored.fresh.length
    result.invalid += stored.invalid
    // A server that says "more" without moving on would loop forever.
    const moved = stored.lastSeq > lastSeq
    lastSeq = stored.lastSeq
    result.lastSeq = lastSeq
    if (!page.more || !moved) return result
    next = prefetch && page.last === lastSeq ? prefetch : api.pull(lastSeq, limit)
  }
}
