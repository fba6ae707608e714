/**
 * Pushing the outbox: local events still `pending` in IndexedDB (there is no
 * second copy). Used by the page's engine and by the service worker's
 * Background Sync handler alike.
 */
import { LIMITS, type IncidentEvent } from '../domain/events'
import type { CommandPostDatabase } from '../db/database'
import type { StoredEvent } from '../db/database'
import { acknowledgeRows, markRejected, pendingRows } from '../db/events'
import { readSetting } from '../db/settings'
import { createSyncApi, SyncError, type FetchLike, type PushAnswer, type SyncApi } from './api'

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
}

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
  let answer: PushAnswer
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
  const sent = new Set(batch.map((e) => e.id))
  const acknowledged = [...answer.accepted, ...answer.duplicate].filter((id) => sent.has(id))
  // A rejection with an id we did not send (the server could not read it) names nothing of ours.
  const rejected = answer.rejected
    .filter((r) => sent.has(r.id))
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
 * Push until the outbox is empty. Events written meanwhile are picked up by
 * the next read. Stops when a round settles nothing, so an answer that names
 * none of our events cannot loop forever; they stay pending for next time.
 * Throws SyncError for anything but 413; what was settled before stays settled.
 */
export async function pushOutbox(
  db: CommandPostDatabase,
  api: SyncApi,
  limits: PushLimits = PUSH_LIMITS,
): Promise<PushResult> {
  const result: PushResult = { acknowledged: 0, rejected: 0 }
  for (;;) {
    const rows = await pendingRows(db, limits.maxEvents * ROUND_BATCHES)
    if (rows.length === 0) return result
    const before = result.acknowledged + result.rejected
    const round: Round = { rows: new Map(rows.map((r) => [r.id, r])), writes: [] }
    try {
      for (const batch of batchEvents(
        rows.map((r) => r.event),
        limits,
      ))
        await sendBatch(db, api, batch, result, round)
    } catch (e) {
      // What the server answered before the failure is still recorded.
      await Promise.allSettled(round.writes)
      throw e
    }
    await Promise.all(round.writes)
    if (result.acknowledged + result.rejected === before) return result
  }
}

/** The Background Sync tag the page registers and the service worker answers. */
export const OUTBOX_SYNC_TAG = 'push-outbox'

export type BackgroundPushOutcome = 'pushed' | 'local-only' | 'refused'

/**
 * One push with the saved settings: what the service worker does on a
 * Background Sync `sync` event. Network and server failures throw, so the
 * browser schedules another attempt; a refused token does not.
 */
export async function pushWithSavedSettings(
  db: CommandPostDatabase,
  fetchFn: FetchLike,
): Promise<BackgroundPushOutcome> {
  const settings = await readSetting(db, 'sync')
  if (!settings?.token) return 'local-only'
  try {
    await pushOutbox(db, createSyncApi(settings, fetchFn))
    return 'pushed'
  } catch (e) {
    // A wiped phone is wiped by the page's engine, which can tell the person; here it only stops.
    if (e instanceof SyncError && ['auth', 'read-only', 'wiped'].includes(e.failure.kind)) return 'refused'
    throw e
  }
}
