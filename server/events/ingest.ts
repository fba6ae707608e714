/**
 * Turning a pushed batch into stored events and the §2 answer. Each entry is
 * judged alone: a bad one is rejected with a reason and the rest are stored.
 */
import { CLOCK_AHEAD, isClockAhead } from '../../src/domain/clock-offset'
import { isServerOnlyType, validateEvent, type IncidentEvent, type ReceivedFrom } from '../../src/domain/events'
import type { PushAnswer, Rejection } from '../../src/domain/wire'
import { withServerFields } from '../store/rows'
import type { AppendOptions, EventStore, NewEvent, SequencedEvent } from '../store/types'
import { canonicalForm } from './canonical'

export interface IngestResult {
  answer: PushAnswer
  /** Highest seq stored after this batch; listeners are told when anything was accepted. */
  lastSeq: number
  /** The accepted events as a read of the log returns them: seqs lastSeq − stored.length + 1 … lastSeq. */
  stored: SequencedEvent[]
}

/** The reason given when an id is already stored with different content. */
export const CONFLICT = 'conflict'

/**
 * Entries that are not objects with a string `id` cannot be matched by the
 * client; they are rejected with id "" and their index in the reason.
 * `sender` is the authenticated token: every event stored now records it as its `receivedFrom`.
 * `options` (the token and its quota) go to EventStore.appendEvents, whose
 * QuotaExceededError and StorageFaultError pass through: nothing is answered then.
 * An event stamped more than 2 minutes (MAX_DRIFT_MS) after `now` (the
 * server's clock, ms) is rejected `clock_ahead`: stored, it would outrank
 * every later event for as long as the wrong clock is ahead.
 */
export async function ingest(
  store: EventStore,
  entries: readonly unknown[],
  sender?: ReceivedFrom,
  options?: AppendOptions,
  now: number = Date.now(),
): Promise<IngestResult> {
  const rejected: (Rejection & { index: number })[] = []
  const valid: (NewEvent & { index: number; copy: IncidentEvent })[] = []
  // Read while the batch is checked: what the store needs to judge it depends only on ids.
  const prepared = await store.prepareAppend?.(...claimedIds(entries), options)

  entries.forEach((entry, index) => {
    if (
      entry === null ||
      typeof entry !== 'object' ||
      Array.isArray(entry) ||
      typeof (entry as { id?: unknown }).id !== 'string'
    ) {
      rejected.push({ index, id: '', reason: `events[${index}]: must be an object with a string id` })
      return
    }
    // seq and receivedFrom belong to the server: whatever the client sent is dropped before validation,
    // so they are never part of the stored body (nor of its duplicate/conflict comparison).
    const candidate = withoutServerFields(entry as Record<string, unknown>)
    const result = validateEvent(candidate)
    if (!result.ok) {
      rejected.push({ index, id: candidate.id as string, reason: result.reason })
      return
    }
    const event = result.value
    if (isServerOnlyType(event.type)) {
      rejected.push({ index, id: event.id, reason: `type: ${event.type} is written by the server only` })
      return
    }
    if (isClockAhead(event.hlc, now)) {
      rejected.push({ index, id: event.id, reason: CLOCK_AHEAD })
      return
    }
    // The body's own data (validation's fresh output, in canonical form): once stored, it is the event as a read of the log returns it.
    const copy = canonicalForm(event)
    valid.push({
      index,
      copy,
      id: event.id,
      incidentId: event.incidentId,
      type: event.type,
      hlc: event.hlc,
      body: JSON.stringify(copy),
      ...(sender && { receivedFrom: sender }),
    })
  })

  const { outcomes, lastSeq } = await store.appendEvents(valid, options, prepared)
  const accepted: string[] = []
  const duplicate: string[] = []
  const stored: SequencedEvent[] = []
  const firstSeq = lastSeq - outcomes.filter((o) => o === 'accepted').length + 1
  outcomes.forEach((outcome, i) => {
    const event = valid[i]!
    if (outcome === 'accepted') {
      accepted.push(event.id)
      stored.push(withServerFields(event.copy, firstSeq + stored.length, sender))
    } else if (outcome === 'duplicate') duplicate.push(event.id)
    // conflict, or the declaration rule's already_declared / before_declared: the outcome is the reason.
    else rejected.push({ index: event.index, id: event.id, reason: outcome })
  })
  rejected.sort((a, b) => a.index - b.index)
  return {
    answer: { accepted, duplicate, rejected: rejected.map(({ id, reason }) => ({ id, reason })), now },
    lastSeq,
    stored,
  }
}

/** The ids and incident ids the entries claim, before anything is checked: every valid event's are among them. */
function claimedIds(entries: readonly unknown[]): [ids: string[], incidentIds: string[]] {
  const ids: string[] = []
  const incidentIds: string[] = []
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object') continue
    const { id, incidentId } = entry as { id?: unknown; incidentId?: unknown }
    if (typeof id === 'string') ids.push(id)
    if (typeof incidentId === 'string') incidentIds.push(incidentId)
  }
  return [ids, incidentIds]
}

/** The entry without `seq` and `receivedFrom`: itself when it has neither (a phone's push), not copied. */
function withoutServerFields(entry: Record<string, unknown>): Record<string, unknown> {
  if (!('seq' in entry) && !('receivedFrom' in entry)) return entry
  const { seq: _clientSeq, receivedFrom: _clientSender, ...candidate } = entry
  return candidate
}
