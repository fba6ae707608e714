/**
 * Scoped sync (issue #17 item 4, docs/CONTRACT-EXTENSIONS.md): a phone that
 * joins a server reads every incident's overview (`GET /api/summaries`) and
 * the events of only the incidents it holds in full: not resolved, with
 * activity in the last `holdResolvedDays` (default 30), declared by this
 * person, or already on this phone. The others are kept as overviews
 * ("remote", src/db/scope.ts) and fetched once when opened. From then on the
 * ordinary pull follows the whole log from the seq the summaries reflect;
 * events of remote incidents that arrive update their overviews from the
 * server (a delta of `GET /api/summaries`), and one that is reopened is held.
 *
 * Scoping never touches the outbox: nothing here deletes an event, and every
 * incident this phone holds an event of (its own, sent or not) is held. Later,
 * ./evict.ts turns held incidents that fell out of the window back into
 * overviews (only once the server has acknowledged every one of their events),
 * and fetches remote ones a wider window takes in.
 */
import { validateEvent, type IncidentEvent } from '../domain/events'
import type { IncidentOverview } from '../domain/summary'
import { SUMMARY_LIMITS, type SummaryEntry, type SummaryPage } from '../domain/wire'
import type { CommandPostDatabase } from '../db/database'
import { remoteAmong } from '../db/scope'
import {
  finishJoin,
  incidentIdsWithEvents,
  scopeFrom,
  storeIncidentEvents,
  updateRemoteSummaries,
} from '../db/scope-writes'
import { readSetting } from '../db/settings'
import type { Unreadable } from '../db/unreadable'
import { SyncError, type SyncApi } from './api'

/** One day in ms: the window of resolved incidents held in full is counted in days. */
export const DAY_MS = 24 * 60 * 60 * 1000
/** Incidents fetched at once while joining: enough to hide round trips, few enough not to crowd the pull. */
const CONCURRENCY = 4

export interface ScopeOptions {
  /** This phone's clock, ms (the window of resolved incidents to hold is counted from it). */
  now: () => number
}

/** A server that does not serve scoped sync (older than it, or no projection): the phone pulls everything. */
function notServed(e: unknown): boolean {
  return e instanceof SyncError && e.failure.kind === 'server' && e.failure.status === 404
}

/** Every summary changed after `after`, page by page; the last page says what they reflect. */
async function readSummaries(api: SyncApi, after: number): Promise<{ entries: SummaryEntry[]; end: SummaryPage }> {
  const latest = new Map<string, SummaryEntry>()
  for (;;) {
    const page = await api.summaries(after, SUMMARY_LIMITS.max)
    // An incident that changed between two pages comes again, newer: the later copy wins.
    for (const s of page.summaries) latest.set(s.id, s)
    if (!page.more) return { entries: [...latest.values()], end: page }
    if (page.last <= after) throw new SyncError({ kind: 'bad-answer', detail: 'summaries page did not move on' })
    after = page.last
  }
}

/** This phone's person, as the declarer of an incident is compared with (their device id or their name). */
export interface Person {
  id: string
  name: string
}

/** This phone's person from its profile; null before it has one. */
export async function phonePerson(db: CommandPostDatabase): Promise<Person | null> {
  const profile = await readSetting(db, 'profile')
  return profile ? { id: profile.deviceId, name: profile.name } : null
}

/**
 * Whether this phone holds an incident in full, by its overview (see the
 * file's comment): not resolved, active at or after `since` (ms), or declared
 * by `person`. An incident already on the phone is held whatever this says.
 */
export function heldInFull(o: IncidentOverview | null, since: number, person: Person | null): boolean {
  if (!o || o.status !== 'resolved') return true
  if (Date.parse(o.lastActivityAt) >= since) return true
  return person !== null && (o.declaredBy.id === person.id || (person.name !== '' && o.declaredBy.name === person.name))
}

/**
 * Fetch every event of one incident and store it held (src/db/scope.ts
 * storeIncidentEvents): opening an archived incident, a reopened one, and
 * the held ones of a join. Events this version cannot read are kept unread,
 * as in a pull. Rejects with a SyncError when the server cannot be reached.
 */
export async function fetchIncident(
  db: CommandPostDatabase,
  api: SyncApi,
  incidentId: string,
  now: number,
): Promise<void> {
  const { valid, unreadable } = await fetchIncidentEvents(api, incidentId)
  await storeIncidentEvents(db, incidentId, valid, unreadable, new Date(now).toISOString())
}

/** One incident's events as the server sends them, checked: those this version reads, and the others kept unread. */
export interface FetchedEvents {
  valid: IncidentEvent[]
  unreadable: Unreadable[]
}

/** Fetch every event of one incident and check each (nothing stored). Rejects with a SyncError when the server cannot be reached. */
export async function fetchIncidentEvents(api: SyncApi, incidentId: string): Promise<FetchedEvents> {
  const answer = await api.incidentEvents(incidentId)
  const valid: IncidentEvent[] = []
  const unreadable: Unreadable[] = []
  for (const raw of answer.events) {
    const checked = validateEvent(raw)
    if (checked.ok) valid.push(checked.value)
    else unreadable.push({ raw, reason: checked.reason })
  }
  return { valid, unreadable }
}

/** Fetch these incidents' events and hold them, a few at a time; rejects with the first failure (those stored stay). */
export async function fetchAll(
  db: CommandPostDatabase,
  api: SyncApi,
  ids: readonly string[],
  now: number,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < ids.length) await fetchIncident(db, api, ids[next++]!, now)
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ids.length) }, worker))
}

/**
 * Join the server by summaries (the phone's cursor is at 0 and it never
 * joined this way). Resolves true once the held incidents' events, the
 * remote overviews and the cursor are stored; false when the server does not
 * serve summaries (the caller pulls everything, as before). A failure part
 * way leaves the cursor at 0: the next round joins again, and what was
 * stored is answered as held already.
 */
export async function joinScoped(db: CommandPostDatabase, api: SyncApi, options: ScopeOptions): Promise<boolean> {
  let read: Awaited<ReturnType<typeof readSummaries>>
  try {
    read = await readSummaries(api, 0)
  } catch (e) {
    if (notServed(e)) return false
    throw e
  }
  const now = options.now()
  const [days, person, local] = await Promise.all([
    readSetting(db, 'holdResolvedDays'),
    phonePerson(db),
    incidentIdsWithEvents(db),
  ])
  const since = now - days * DAY_MS
  const held: string[] = []
  const remote: SummaryEntry[] = []
  for (const e of read.entries)
    if (local.has(e.id) || heldInFull(e.overview, since, person)) held.push(e.id)
    else remote.push(e)
  await fetchAll(db, api, held, now)
  const { end } = read
  await finishJoin(
    db,
    remote,
    {
      lastSeq: end.last,
      ...(end.lastId === undefined ? {} : { lastId: end.lastId }),
      ...(end.serverId === undefined ? {} : { serverId: end.serverId }),
    },
    new Date(now).toISOString(),
  )
  return true
}

/**
 * A phone that pulled the whole log (before scoped sync, or from a server
 * without it) becomes scoped from the seq it has pulled to, so ./evict.ts
 * keeps what it holds to the window from then on. It holds every incident in
 * full: there is no overview to fetch, only whether the server serves them
 * (one page of summaries changed since its cursor). Resolves true once scoped
 * (or already), false when the server does not serve summaries; rejects with
 * a SyncError when it cannot be reached. Nothing is deleted here.
 */
export async function adoptScope(db: CommandPostDatabase, api: SyncApi): Promise<boolean> {
  const cursor = await readSetting(db, 'cursor')
  try {
    await api.summaries(cursor.lastSeq, 1)
  } catch (e) {
    if (notServed(e)) return false
    throw e
  }
  await scopeFrom(db, cursor.lastSeq)
  return true
}

/**
 * Events of remote incidents arrived (`touched`: incident ids of events new
 * to this phone): bring their overviews up to date from the server's delta,
 * and hold in full those no longer resolved. Nothing to do for a phone that
 * did not join by summaries, or when no remote incident was touched.
 */
export async function refreshRemote(
  db: CommandPostDatabase,
  api: SyncApi,
  touched: Iterable<string>,
  options: ScopeOptions,
): Promise<void> {
  const scope = await readSetting(db, 'scope')
  if (!scope || (await remoteAmong(db, touched)).length === 0) return
  let read: Awaited<ReturnType<typeof readSummaries>>
  try {
    read = await readSummaries(api, scope.upTo)
  } catch (e) {
    if (notServed(e)) return // the server was replaced by an older one: the overviews stay as they were
    throw e
  }
  const reopened = await updateRemoteSummaries(db, read.entries, read.end.last)
  await fetchAll(db, api, reopened, options.now())
}
