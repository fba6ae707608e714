/**
 * Pushing the outbox: local events still `pending` in IndexedDB (there is no
 * second copy). Used by the page's engine and by the service worker's
 * Background Sync handler alike.
 */
import { CLOCK_AHEAD, shiftStamps } from '../domain/clock-offset'
import { LIMITS, type IncidentEvent } from '../domain/events'
import type { CommandPostDatabase } from '../db/database'
import type { StoredEvent } from '../db/database'
import { readClockOffset, readClockOffsetState, recordClockSamples, sampleIsStale } from '../db/clock-offset'
import { acknowledgeRows, markRejected, pendingRows, rewriteOutboxRows } from '../db/events'
import { readSetting } from '../db/settings'
import { createSyncApi, SyncError, type FetchLike, type PushAnswer, type SyncApi } from './api'
import { clearPushHold, holdFor, readPushHold, savePushHold } from './push-hold'

export interface PushLimits {
  maxEvents: number
  maxBytes: number
}

export const PUSH_LIMITS: PushLimits = { maxEvents: LIMITS.batchEvents, maxBytes: LIMITS.bodyBytes }

/** The reason kept on an event the server will not take even alone. */
export const TOO_LARGE_REASON = 'too large for the server to accept'

export interface PushResult {
  /** Acknowledged (accepted or already there). */
  acknowledged: number
  rejected: number
  /** Events stamped before the phone knew its offset, corrected before their first push. */
  corrected: number
  /** Events the server refused `clock_ahead`, re-stamped and pushed again (counted per re-stamp). */
  restamped: number
  /** Answers that carried the server's clock (each one a sample of the offset). */
  clockSamples: number
}

export interface PushOptions {
  /** This phone's own clock, ms (the corrected time is it plus the offset). */
  now?: () => number
}

/** Re-stamping rounds per push: a server that keeps refusing leaves the events pending for the next sync, not refused. */
const MAX_RESTAMP_ROUNDS = 3

const encoder = new TextEncoder()
/** `{"events":[` + `]}`. */
const ENVELOPE_BYTES = 13

/** Cut events, in order, into batches of at most `maxEvents` and `maxBytes` of JSON body. */
export function batchEvents(events: readonly IncidentEvent[], limits: PushLimits = PUSH_LIMITS): IncidentEvent[][] {
  const batches: IncidentEvent[][] = []
  let current: IncidentEvent[] = []
  let bytes = ENVELOPE_BYTES
  for (const event of events) {
    const size = encoder.encode(JSON.stringify(event)).length + 1
    if (current.length && (current.length >= limits.maxEvents || bytes + size > limits.maxBytes)) {
      batches.push(current)
      current = []
      bytes = ENVELOPE_BYTES
    }
    current.push(event)
    bytes += size
  }
  if (current.length) batches.push(current)
  return batches
}

/** What a round of pushing needs beside the batch: its rows by id, and the IndexedDB writes still under way. */
interface Round {
  rows: Map<string, StoredEvent>
  writes: Promise<void>[]
  /** Refused `clock_ahead`: re-stamped once the round's answers are stored. */
  clockAhead: string[]
  /** Offset samples from this round's answers. */
  samples: number[]
}

/**
 * Send one batch and record the answer. A 413 splits the batch in halves; an
 * event refused even alone is marked rejected with a reason, never dropped.
 * The answer is written to IndexedDB while the next batch is on its way
 * (pushOutbox waits for every write before it reads the outbox again).
 */
async function sendBatch(
  db: CommandPostDatabase,
  api: SyncApi,
  batch: readonly IncidentEvent[],
  result: PushResult,
  round: Round,
): Promise<void> {
  let answer: PushAnswer & { clockSample: number | null }
  try {
    answer = await api.push(batch)
  } catch (e) {
    if (!(e instanceof SyncError) || e.failure.kind !== 'too-large') throw e
    if (batch.length === 1) {
      await markRejected(db, [{ id: batch[0]!.id, reason: TOO_LARGE_REASON }])
      result.rejected++
      return
    }
    const half = Math.ceil(batch.length / 2)
    await sendBatch(db, api, batch.slice(0, half), result, round)
    await sendBatch(db, api, batch.slice(half), result, round)
    return
  }
  if (answer.clockSample !== null) round.samples.push(answer.clockSample)
  const sent = new Set(batch.map((e) => e.id))
  const acknowledged = [...answer.accepted, ...answer.duplicate].filter((id) => sent.has(id))
  // A rejection with an id we did not send (the server could not read it) names nothing of ours.
  const refused = answer.rejected.filter((r) => sent.has(r.id))
  // Stamped too far ahead of the server's clock: re-stamped and sent again, never left refused.
  round.clockAhead.push(...refused.filter((r) => r.reason === CLOCK_AHEAD).map((r) => r.id))
  const rejected = refused
    .filter((r) => r.reason !== CLOCK_AHEAD)
    .map((r) => ({ id: r.id, reason: r.reason || 'rejected' }))
  const rows = [...new Set(acknowledged)].map((id) => round.rows.get(id)!)
  const write = acknowledgeRows(db, rows).then(() => markRejected(db, rejected))
  write.catch(() => {}) // awaited by pushOutbox; until then a failure must not count as unhandled
  round.writes.push(write)
  result.acknowledged += acknowledged.length
  result.rejected += rejected.length
}

/** Outbox rows read per round: several batches, so one batch's answer is stored while the next is sent. */
const ROUND_BATCHES = 4

/**
 * Whether an event never sent must be corrected before its first push: this
 * phone stamped it before it knew its offset (null). An event stamped with a
 * known offset is left alone even if the offset changed since: it may have
 * been stamped before the phone's clock was changed, and then it is right. One
 * stamped after a change that put it over 2 minutes ahead is refused
 * `clock_ahead` by the server and re-stamped.
 */
function needsCorrection(row: StoredEvent): boolean {
  return !row.sent && row.clockOffsetMs === null
}

/**
 * Before rows are sent for the first time: events that need it
 * (needsCorrection) are moved by the offset, measured first if it is unknown
 * or stale (src/db/clock-offset.ts), in their order, never past the corrected present; then every row is marked sent, in IndexedDB,
 * before the request leaves. An older server (no `now`) leaves them as they are.
 * Returns the rows as they will be sent.
 */
async function prepareFirstPush(
  db: CommandPostDatabase,
  api: SyncApi,
  rows: readonly StoredEvent[],
  now: () => number,
  result: PushResult,
): Promise<StoredEvent[]> {
  if (rows.every((r) => r.sent)) return [...rows]
  const state = await readClockOffsetState(db)
  let offset = state.offsetMs
  if (rows.some(needsCorrection) && sampleIsStale(state, now())) {
    const { clockSample } = await api.health()
    if (clockSample !== null) {
      offset = await recordClockSamples(db, [clockSample], now())
      result.clockSamples++
    }
  }
  const moved = new Map<string, IncidentEvent>()
  if (offset !== null) {
    const ordered = rows
      .filter(needsCorrection)
      .map((r) => r.event)
      .sort(byHlc)
    for (const e of shiftStamps(ordered, offset, now() + offset)) moved.set(e.id, e)
  }
  const prepared = rows.map((r): StoredEvent => {
    if (r.sent) return r
    const event = moved.get(r.id)
    return event ? { ...r, event, hlc: event.hlc, clockOffsetMs: offset, sent: true } : { ...r, sent: true }
  })
  const written = await rewriteOutboxRows(
    db,
    prepared.filter((r, i) => r !== rows[i]),
    new Set(moved.keys()),
  )
  result.corrected += moved.size
  const byId = new Map(written.map((r) => [r.id, r]))
  return prepared.map((r) => byId.get(r.id) ?? r)
}

const byHlc = (a: { hlc: string }, b: { hlc: string }) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0)

/**
 * Events the server refused `clock_ahead`, re-stamped: moved by the change in
 * the offset since they were stamped and never past the corrected present,
 * in their order, same ids (references are by id, so they hold). Only these:
 * an event the server may hold is never re-stamped.
 */
async function restamp(db: CommandPostDatabase, round: Round, now: () => number, result: PushResult): Promise<void> {
  const offset = (await readClockOffset(db)) ?? 0
  const rows = round.clockAhead.map((id) => round.rows.get(id)!).sort((a, b) => byHlc(a.event, b.event))
  // Rows of one stamping offset move together; usually there is one.
  const byOffset = new Map<number, StoredEvent[]>()
  for (const r of rows) {
    const stamped = r.clockOffsetMs ?? 0
    byOffset.set(stamped, [...(byOffset.get(stamped) ?? []), r])
  }
  const rewritten: StoredEvent[] = []
  for (const [stamped, group] of byOffset) {
    const events = shiftStamps(
      group.map((r) => r.event),
      offset - stamped,
      now() + offset,
    )
    group.forEach((r, i) => rewritten.push({ ...r, event: events[i]!, hlc: events[i]!.hlc, clockOffsetMs: offset }))
  }
  await rewriteOutboxRows(db, rewritten, new Set(rewritten.map((r) => r.id)))
  result.restamped += rewritten.length
}

/**
 * Push until the outbox is empty. Events written meanwhile are picked up by
 * the next read. Stops when a round settles nothing, so an answer that names
 * none of our events cannot loop forever; they stay pending for next time.
 * Events refused `clock_ahead` are re-stamped and sent again (at most
 * MAX_RESTAMP_ROUNDS times per call; after that they wait, pending, for the
 * next sync). Every answer's clock is recorded as an offset sample.
 * Throws SyncError for anything but 413; what was settled before stays settled.
 */
export async function pushOutbox(
  db: CommandPostDatabase,
  api: SyncApi,
  limits: PushLimits = PUSH_LIMITS,
  options: PushOptions = {},
): Promise<PushResult> {
  const now = options.now ?? Date.now
  const result: PushResult = { acknowledged: 0, rejected: 0, corrected: 0, restamped: 0, clockSamples: 0 }
  let restampRounds = 0
  for (;;) {
    const read = await pendingRows(db, limits.maxEvents * ROUND_BATCHES)
    if (read.length === 0) return result
    const rows = await prepareFirstPush(db, api, read, now, result)
    const before = result.acknowledged + result.rejected + result.restamped
    const round: Round = { rows: new Map(rows.map((r) => [r.id, r])), writes: [], clockAhead: [], samples: [] }
    try {
      for (const batch of batchEvents(
        rows.map((r) => r.event),
        limits,
      ))
        await sendBatch(db, api, batch, result, round)
    } catch (e) {
      // What the server answered before the failure is still recorded.
      await Promise.allSettled(round.writes)
      await recordClockSamples(db, round.samples, now())
      throw e
    }
    await Promise.all(round.writes)
    await recordClockSamples(db, round.samples, now())
    result.clockSamples += round.samples.length
    if (round.clockAhead.length) {
      if (restampRounds++ >= MAX_RESTAMP_ROUNDS) return result
      await restamp(db, round, now, result)
    }
    if (result.acknowledged + result.rejected + result.restamped === before) return result
  }
}

/** The Background Sync tag the page registers and the service worker answers. */
export const OUTBOX_SYNC_TAG = 'push-outbox'

/**
 * What a Background Sync push did. `deferred`: the server asked to wait
 * (Retry-After on a 429, 503 or 507), now or before (src/sync/push-hold.ts);
 * nothing is sent before then, and the page's engine pushes once it has passed.
 */
export type BackgroundPushOutcome = 'pushed' | 'local-only' | 'refused' | 'deferred'

/**
 * One push with the saved settings: what the service worker does on a
 * Background Sync `sync` event. Network and server failures throw, so the
 * browser schedules another attempt with its own backoff; a refused token
 * does not, and neither does an answer with Retry-After: that time is kept
 * for the page's engine and for the next wake-up (which then sends nothing
 * before it), instead of the browser's schedule.
 */
export async function pushWithSavedSettings(
  db: CommandPostDatabase,
  fetchFn: FetchLike,
  now: () => number = Date.now,
): Promise<BackgroundPushOutcome> {
  const settings = await readSetting(db, 'sync')
  if (!settings?.token) return 'local-only'
  const hold = await readPushHold(db)
  if (hold && now() < hold.until) return 'deferred'
  try {
    await pushOutbox(db, createSyncApi(settings, fetchFn, undefined, now), PUSH_LIMITS, { now })
    if (hold) await clearPushHold(db)
    return 'pushed'
  } catch (e) {
    if (!(e instanceof SyncError)) throw e
    // A wiped phone is wiped by the page's engine, which can tell the person; here it only stops.
    if (['auth', 'read-only', 'wiped'].includes(e.failure.kind)) return 'refused'
    const wait = holdFor(e.failure, now())
    if (!wait) throw e
    await savePushHold(db, wait)
    return 'deferred'
  }
}
