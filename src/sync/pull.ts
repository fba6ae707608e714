/**
 * Pulling what the server holds after our cursor, and storing streamed
 * events. The cursor moves in the same IndexedDB transaction that stores the
 * events, so a crash between the two cannot skip anything: either both are
 * saved, or neither and the same page is fetched again.
 *
 * The cursor is a seq and the id of the event there: the server checks the
 * pair (409 cursor_unknown), and every page names the server's identity, so
 * a restored server starts a recovery (./recovery.ts) instead of being trusted.
 */
import { validateEvent, type IncidentEvent } from '../domain/events'
import { PULL_LIMITS } from '../domain/wire'
import type { CommandPostDatabase } from '../db/database'
import { storeRemoteEvents } from '../db/events'
import { readSetting, writeSetting, type SyncCursor } from '../db/settings'
import { storeUnreadable, type Unreadable, type Validate } from '../db/unreadable'
import { isCursorUnknown, SyncError, type PullPage, type SyncApi } from './api'
import { beginRecovery, finishRecovery } from './recovery'

/** The most the server hands out per page: fewer round trips on a catch-up. */
export const PULL_LIMIT = PULL_LIMITS.max

export interface StoreResult {
  /** Events new to this phone. */
  fresh: IncidentEvent[]
  /** Events the server sent that this app version cannot read: kept unread (src/db/unreadable.ts). */
  invalid: number
  lastSeq: number
  /** The id of the event at `lastSeq` as the cursor now holds it. */
  lastId?: string
}

export interface StoreOptions {
  now?: () => number
  /** The app's validator; tests pass an older version's. */
  validate?: Validate
  /** The server identity the page came with. */
  serverId?: string
}

/** The id of the event at `seq` among raw server events, when there is one with a string id. */
function idAt(events: readonly unknown[], seq: number): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as { seq?: unknown; id?: unknown } | null
    if (e && e.seq === seq && typeof e.id === 'string') return e.id
  }
  return undefined
}

/**
 * Store a page of server events and move the cursor to `lastSeq` (never
 * backwards: the stream and a pull may overlap). Events keep their `seq`.
 * Events this version cannot validate are kept as they came, with the reason,
 * in the same transaction: the cursor moves past them, and an updated app
 * reads them from there, never from the server again.
 */
export async function storeServerEvents(
  db: CommandPostDatabase,
  events: readonly unknown[],
  lastSeq: number,
  options: StoreOptions = {},
): Promise<StoreResult> {
  const now = options.now ?? Date.now
  const validate = options.validate ?? validateEvent
  const valid: IncidentEvent[] = []
  const unreadable: Unreadable[] = []
  for (const raw of events) {
    const checked = validate(raw)
    if (checked.ok) valid.push(checked.value)
    else unreadable.push({ raw, reason: checked.reason })
  }
  const lastId = idAt(events, lastSeq)
  return db.transaction('rw', db.events, db.kv, db.unreadable, async () => {
    const fresh = await storeRemoteEvents(db, valid)
    const at = new Date(now()).toISOString()
    await storeUnreadable(db, unreadable, at)
    const cursor = await readSetting(db, 'cursor')
    const next = Math.max(cursor.lastSeq, lastSeq)
    // The id goes with the seq: a page ending where the cursor already is keeps the one we had.
    const nextId =
      next === lastSeq && lastId !== undefined ? lastId : next === cursor.lastSeq ? cursor.lastId : undefined
    const serverId = options.serverId ?? cursor.serverId
    const { lastId: _id, serverId: _server, ...rest } = cursor
    const updated: SyncCursor = {
      ...rest,
      lastSeq: next,
      lastSyncAt: at,
      ...(nextId === undefined ? {} : { lastId: nextId }),
      ...(serverId === undefined ? {} : { serverId }),
    }
    await writeSetting(db, 'cursor', updated)
    return { fresh, invalid: unreadable.length, lastSeq: next, ...(nextId === undefined ? {} : { lastId: nextId }) }
  })
}

export interface PullResult {
  received: number
  fresh: number
  invalid: number
  lastSeq: number
  /** A server restore was noticed (or one under way was finished) during this pull. */
  recovered: boolean
  /** Events the restored server lacked, put back in the outbox: push again. */
  requeued: number
  /** Incident ids of the events new to this phone (scoped sync refreshes remote overviews from them). */
  incidents: Set<string>
}

/** The restored history was noticed: pull from 0 (at most this many times in one pullAll). */
const MAX_RECOVERIES = 3

/**
 * GET pages after the saved cursor until the server says there is no more.
 * A page with another serverId than the cursor's, or a 409 cursor_unknown,
 * starts a recovery and the pull starts again from 0; a recovery under way is
 * finished once the pull reaches the end.
 */
export async function pullAll(
  db: CommandPostDatabase,
  api: SyncApi,
  options: { limit?: number; now?: () => number; validate?: Validate } = {},
): Promise<PullResult> {
  const limit = options.limit ?? PULL_LIMIT
  const result: PullResult = {
    received: 0,
    fresh: 0,
    invalid: 0,
    lastSeq: 0,
    recovered: false,
    requeued: 0,
    incidents: new Set(),
  }
  for (let recoveries = 0; ; recoveries++) {
    const cursor = await readSetting(db, 'cursor')
    const restart = await pullPages(db, api, cursor, limit, options, result)
    if (restart === null) {
      if ((await readSetting(db, 'cursor')).recovering) {
        result.requeued += await finishRecovery(db)
        result.recovered = true
      }
      return result
    }
    if (recoveries >= MAX_RECOVERIES)
      throw new SyncError({ kind: 'bad-answer', detail: 'the server’s identity keeps changing' })
    await beginRecovery(db, restart.serverId)
    result.recovered = true
  }
}

/** Pages from `cursor` to the end; returns null when done, or why to start again from 0. */
async function pullPages(
  db: CommandPostDatabase,
  api: SyncApi,
  cursor: SyncCursor,
  limit: number,
  options: { now?: () => number; validate?: Validate },
  result: PullResult,
): Promise<{ serverId: string | null } | null> {
  let lastSeq = cursor.lastSeq
  let lastId = cursor.lastSeq > 0 ? cursor.lastId : undefined
  result.lastSeq = lastSeq
  const replaced = (page: PullPage) =>
    page.serverId !== undefined && cursor.serverId !== undefined && page.serverId !== cursor.serverId
  let next = api.pull(lastSeq, limit, lastId)
  for (;;) {
    let page: PullPage
    try {
      page = await next
    } catch (e) {
      if (isCursorUnknown(e)) return { serverId: null }
      throw e
    }
    if (replaced(page)) return { serverId: page.serverId! }
    // Ask for the following page while this one is stored: the server and IndexedDB work at once.
    // A page after page.last is what the loop asks for next anyway (the cursor never moves back).
    const pageLastId = idAt(page.events, page.last)
    const prefetch = page.more && page.last > lastSeq ? api.pull(page.last, limit, pageLastId) : null
    prefetch?.catch(() => {}) // awaited below; a failure while this page is stored must not go unhandled
    const stored = await storeServerEvents(db, page.events, page.last, { ...options, serverId: page.serverId })
    result.received += page.events.length
    result.fresh += stored.fresh.length
    for (const e of stored.fresh) result.incidents.add(e.incidentId)
    result.invalid += stored.invalid
    // A server that says "more" without moving on would loop forever.
    const moved = stored.lastSeq > lastSeq
    lastSeq = stored.lastSeq
    result.lastSeq = lastSeq
    if (!page.more || !moved) return null
    lastId = stored.lastId
    next = prefetch && page.last === lastSeq ? prefetch : api.pull(lastSeq, limit, lastId)
  }
}
