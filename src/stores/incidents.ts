import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref, shallowReactive, shallowRef, watch } from 'vue'
import type { EventType, IncidentEvent, PayloadOf, Validation } from '../domain/events'
import { applyEvent, childrenOf, foldIncident } from '../domain/fold'
import { withSeen } from '../domain/conflicts'
import type { IncidentState, IncidentSummary } from '../domain/fold'
import { compareOverviews, foldedAtStart, overviewOf, sameOverview, type IncidentOverview } from '../domain/summary'
import type { HybridClock } from '../domain/hlc'
import { newId } from '../domain/ids'
import { localData, type LocalData } from '../db/load'
import { isStorageFull } from '../db/storage-full'
import type { Subscription } from '../db/local'
import type { CommandPostDatabase, StoredSummary } from '../db/database'
import { forgetTimeline } from '../domain/timeline-memo'
import { useClockStore } from './clock'
import { onceUntilFailure } from './once'
import { usePersistenceStore } from './persistence'
import { useProfileStore } from './profile'
import type { FetchedIncident } from '../sync/archived'

/** A server event this version cannot read, as the UI shows it: a placeholder in its incident. */
export interface UnreadableEntry {
  key: string
  /** null: the event names no incident it could be shown in (counted in Settings only). */
  incidentId: string | null
  reason: string
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}

/** Index of the event with this id, searched from the end: an echo is usually of one of the latest. */
function lastIndexOfId(list: readonly IncidentEvent[], id: string): number {
  let i = list.length - 1
  while (i >= 0 && list[i]!.id !== id) i--
  return i
}

/** How many incidents' events start reads in one transaction (what is held beyond the active ones at a time). */
const START_BATCH = 200

/**
 * Every incident on this phone, as an overview (src/domain/summary.ts), and
 * the folded state of those held in full: the active ones, those opened, and
 * those that arrived this session; and the commands that add events. Resolved
 * incidents are shown from their stored overview and folded when opened
 * (`hold`), so start-up reads what is active, not the whole history. Folded
 * states are kept outside Vue's deep reactivity (an incident can hold 10,000
 * entries); `revision` ticks when any of them changes.
 */
export const useIncidentsStore = defineStore('incidents', () => {
  const revision = ref(0)
  const ready = ref(false)
  /** Event id → the server's reason, for events it refused. */
  const rejected = shallowRef(new Map<string, string>())
  /** The last write failed because the phone's storage is full (cleared by the next write that works). */
  const storageFull = ref(false)
  /** Server events this app version cannot read, kept until an update can (src/db/unreadable.ts). */
  const unreadable = shallowRef<readonly UnreadableEntry[]>([])

  const states = new Map<string, IncidentState>()
  /** Every event of each incident held in full (an incident is held when it is here). */
  const eventsByIncident = new Map<string, IncidentEvent[]>()
  const known = new Set<string>()
  /** Every incident's overview: of the held ones kept up to date by ingest, of the others as stored. */
  const overviews = new Map<string, IncidentOverview>()
  /** Incidents changed since their summary was last written (src/db/summaries.ts). */
  const unsaved = new Set<string>()
  /** Events were stored above the summaries' watermark by a writer that does not write summaries. */
  let watermarkBehind = false
  /** The remote rows' counter as last read (src/db/scope.ts): archived incidents known by the server's overview. */
  let remoteRevision: unknown
  let cursor = 0
  let clock: HybridClock | null = null
  /** The database code, once loaded (start). */
  let data: LocalData | null = null
  /** The database opened at start: summaries go to the one their events were read from, even if tests swap the app's. */
  let db: CommandPostDatabase | null = null
  let catchingUp: Promise<void> = Promise.resolve()
  const subscriptions: Subscription[] = []

  /**
   * An event we hold, written again with a new stamp (the pusher corrected it
   * by the server's offset, or re-stamped it after `clock_ahead`): the copy
   * held is replaced. False when it is not held or unchanged.
   */
  function restamped(e: IncidentEvent): boolean {
    const list = eventsByIncident.get(e.incidentId)
    const at = list?.findIndex((held) => held.id === e.id) ?? -1
    if (!list || at < 0 || list[at]!.hlc === e.hlc) return false
    list[at] = e
    return true
  }

  function ingest(events: readonly IncidentEvent[]): void {
    const touched = new Set<string>()
    const refold = new Set<string>()
    for (const e of events) {
      if (known.has(e.id)) {
        // Our own event, echoed by the server with its sender: shown on the timeline, not folded.
        if (e.receivedFrom && learnSender(e)) touched.add(e.incidentId)
        if (restamped(e)) {
          clock?.receive(e.hlc)
          touched.add(e.incidentId)
          refold.add(e.incidentId)
        }
        continue
      }
      known.add(e.id)
      // Hybrid clock rule: what we write next must sort after everything we have seen.
      clock?.receive(e.hlc)
      const list = eventsByIncident.get(e.incidentId)
      if (list) list.push(e)
      else eventsByIncident.set(e.incidentId, [e])
      touched.add(e.incidentId)
      const state = states.get(e.incidentId)
      if (!state || refold.has(e.incidentId) || !applyEvent(state, e)) refold.add(e.incidentId)
    }
    for (const id of refold) {
      const state = foldIncident(eventsByIncident.get(id)!)
      if (state) states.set(id, state)
    }
    for (const id of touched) {
      const state = states.get(id)
      if (state) overviews.set(id, overviewOf(state))
      unsaved.add(id)
    }
    if (touched.size) revision.value++
  }

  /**
   * Events of incidents known only by their overview (resolved, not opened):
   * such an incident is folded from all its stored events, its overview
   * updated, and it is held from then on only if it is no longer resolved.
   */
  async function refreshArchived(ids: ReadonlySet<string>): Promise<void> {
    for (const id of ids) {
      const events = await data!.incidentEventsInOrder(db!, id)
      // Opened while they were read (held from the server's answer): its own events are folded there.
      if (!isArchived(id)) continue
      const state = foldIncident(events)
      if (state && state.status !== 'resolved') {
        holdEvents(id, events)
        continue
      }
      if (state) overviews.set(id, overviewOf(state))
      unsaved.add(id)
      revision.value++
    }
  }

  /** Hold an incident in full from its stored events (none of which this tab holds yet). */
  function holdEvents(id: string, events: readonly IncidentEvent[]): void {
    if (!eventsByIncident.has(id)) eventsByIncident.set(id, [])
    ingest(events)
  }

  /** Write the overviews changed since the last write, as folded from every event up to `cursor`. */
  async function saveSummaries(): Promise<void> {
    if (!data) return
    const rows: StoredSummary[] = []
    for (const id of unsaved) rows.push({ id, overview: overviews.get(id) ?? null, lseq: cursor })
    unsaved.clear()
    watermarkBehind = false
    try {
      await data.writeSummaries(db!, rows, cursor)
    } catch {
      // Storage full or the database closing: the next start folds these incidents again (their events are above the watermark).
    }
  }

  /** Whether events of this incident are folded from what this tab holds, not from the database. */
  function isArchived(id: string): boolean {
    return !eventsByIncident.has(id) && overviews.has(id)
  }

  /** Incidents being opened (`hold`): reactive, so background work (the search index) can wait for none. */
  const opening = shallowReactive(new Map<string, Promise<void>>())
  /** Archived incidents being opened → their new events a catch-up left to `hold`. */
  const skippedWhileOpening = new Map<string, IncidentEvent[]>()
  /** How many incidents are being opened now. */
  const openingCount = computed(() => opening.size)
  /** Incidents opened in this page: each holds a Web Lock until the page goes (src/sync/open-incidents.ts). */
  const markedOpen = new Set<string>()

  function markOpen(id: string): Promise<void> {
    if (markedOpen.has(id)) return Promise.resolve()
    markedOpen.add(id)
    // Loaded with the first incident opened, not with the first screen.
    return import('../sync/open-incidents').then((open) => open.keepOpen(id))
  }

  /** Opening an archived incident's modules, loaded with the first one opened unless asked for sooner. */
  const opener = () => import('../sync/archived')

  /** Load what opening an incident needs (idle time on the list, src/router warmIncidentScreen). Never rejects. */
  function prepareToOpen(): Promise<void> {
    return Promise.all([opener(), import('../sync/open-incidents')]).then(
      () => {},
      () => {},
    )
  }

  /** The write path's module (validators), loaded with the first write unless asked for sooner. */
  const writer = () => import('../domain/factory')

  /**
   * Load the write path now, where a write is about to come (an incident or the
   * declare form opened): a first visit whose service worker has not finished
   * installing can then still write after the network goes. Never rejects; a
   * failure is retried by the write itself.
   */
  function prepareToWrite(): void {
    writer().catch(() => {})
  }

  /**
   * Fold an incident known only by its overview (a resolved one, not folded at
   * start) from its stored events, and keep it: resolves once `incident(id)`
   * answers. At once for an incident already held or not on this phone. Any
   * incident on this phone asked for is marked open for the rest of this
   * page's life: scoped sync never evicts it (src/sync/open-incidents.ts). One
   * whose events only the server has (scoped sync) is fetched first; that
   * rejects with an `ArchivedUnavailable` error saying why (src/sync/archived.ts).
   */
  function hold(id: string): Promise<void> {
    if (!data) return Promise.resolve()
    if (!isArchived(id)) {
      if (eventsByIncident.has(id)) void markOpen(id)
      return Promise.resolve()
    }
    let p = opening.get(id)
    if (!p) {
      p = opener()
        // Marked open before its events are read (the lock taken while they are fetched): the sync engine's
        // eviction leaves it alone from then on, and one evicted before the lock is fetched again below.
        .then(async (archived) => {
          const [, fetched] = await Promise.all([markOpen(id), archived.fetchRemote(db!, id)])
          if (fetched) return holdFetched(id, fetched)
          await (catchingUp = catchingUp.then(async () => {
            if (!isArchived(id)) return
            let events = await data!.incidentEventsInOrder(db!, id)
            // Evicted between the engine's look at the locks and our lock: fetched again.
            if (!events.length) {
              await archived.fetchIfRemote(db!, id)
              events = await data!.incidentEventsInOrder(db!, id)
            }
            skippedWhileOpening.delete(id)
            holdEvents(id, events)
          }))
        })
        .finally(() => {
          opening.delete(id)
          // The opening failed after events of it were stored: its overview is folded from them as usual.
          if (skippedWhileOpening.delete(id) && isArchived(id))
            catchingUp = catchingUp.then(() => refreshArchived(new Set([id]))).catch(() => {})
        })
      opening.set(id, p)
    }
    return p
  }

  /**
   * Hold an archived incident from the events the server sent: shown at once,
   * while they are written (an IndexedDB write can wait seconds behind the sync
   * engine's after a join). Resolves once they are kept; if the write fails the
   * incident is let go again and this rejects, so nothing is written to an
   * incident this phone does not keep.
   */
  async function holdFetched(id: string, fetched: FetchedIncident): Promise<void> {
    if (isArchived(id)) {
      holdEvents(id, fetched.events)
      // Stored meanwhile (from the stream) and left to us by a catch-up.
      const later = skippedWhileOpening.get(id)
      skippedWhileOpening.delete(id)
      if (later) ingest(later)
    }
    try {
      await fetched.stored
    } catch (e) {
      release(id)
      revision.value++
      throw e
    }
  }

  /** Replace the held copy of `e` (same id and content) by `e`, which names its sender; true when it changed. */
  function learnSender(e: IncidentEvent): boolean {
    const list = eventsByIncident.get(e.incidentId)
    const i = list ? lastIndexOfId(list, e.id) : -1
    if (!list || i < 0 || list[i]!.receivedFrom?.tokenId === e.receivedFrom?.tokenId) return false
    list[i] = e
    // The fold keeps the same objects in its own (sorted) list: swap it there too.
    const state = states.get(e.incidentId)
    const j = state ? lastIndexOfId(state.events, e.id) : -1
    if (state && j >= 0) {
      state.events[j] = e
      forgetTimeline(state)
    }
    return true
  }

  /**
   * An incident this tab holds was made remote. Not opened here: let go of it,
   * so opening or writing to it fetches it first. Opened here (evicted just
   * before this page's lock was granted): fetched again, in the background, so
   * the open view writes to an incident held in full; offline, it stays as it is.
   */
  function evictedHere(id: string): void {
    if (!markedOpen.has(id)) return release(id)
    void opener()
      .then((archived) => archived.fetchIfRemote(db!, id))
      .catch(() => {})
  }

  /** Read what other tabs, the sync engine or the service worker stored since we last looked. */
  function catchUp(): Promise<void> {
    catchingUp = catchingUp.then(async () => {
      if (!data) return
      // Without the few events of remote incidents, whose overviews are the server's (src/db/scope.ts).
      const read = await data.readAfter(data.database(), cursor, remoteRevision)
      remoteRevision = read.remoteRevision
      if (read.remote) {
        for (const r of read.remote) {
          // Held here but remote in the database: the sync engine evicted it (src/sync/evict.ts).
          if (eventsByIncident.has(r.id)) evictedHere(r.id)
          if (r.overview && !eventsByIncident.has(r.id)) overviews.set(r.id, r.overview)
        }
        revision.value++
      }
      cursor = read.last
      const rows = read.rows
      if (rows.length) {
        const archived = new Set<string>()
        const held: IncidentEvent[] = []
        for (const r of rows) {
          if (!isArchived(r.incidentId)) held.push(r.event)
          // Being opened: `hold` reads every stored event of it after this, and folds it once.
          else if (opening.has(r.incidentId)) {
            const later = skippedWhileOpening.get(r.incidentId)
            if (later) later.push(r.event)
            else skippedWhileOpening.set(r.incidentId, [r.event])
          } else archived.add(r.incidentId)
        }
        ingest(held)
        if (archived.size) await refreshArchived(archived)
      }
      if (unsaved.size || watermarkBehind) await saveSummaries()
    })
    return catchingUp
  }

  /**
   * Start: every stored overview, and the events of the incidents to fold
   * (src/db/summaries.ts), a batch of incidents at a time. One found resolved
   * once folded (its summary was behind: events stored by the service worker,
   * or by a page without the app) is kept as its overview only, so a phone
   * whose summaries are far behind holds what is active, not its history.
   */
  async function readStored(local: LocalData, from: CommandPostDatabase): Promise<void> {
    db = from
    const start = await local.readStartData(from)
    remoteRevision = start.remoteRevision
    for (const s of start.summaries) if (s.overview) overviews.set(s.id, s.overview)
    cursor = start.cursor
    const stored = new Map(start.summaries.map((s) => [s.id, s.overview]))
    for (let i = 0; i < start.fold.length; i += START_BATCH) {
      const batch = start.fold.slice(i, i + START_BATCH)
      const rows = await local.readIncidents(from, batch)
      batch.forEach((id, k) => {
        const events = rows[k]!.map((r) => r.event)
        holdEvents(id, events)
        const now = overviews.get(id) ?? null
        // An incident folded again to the overview it had stored needs no write; the watermark still moves up.
        const was = stored.get(id)
        if (was !== undefined && sameOverview(was, now)) unsaved.delete(id)
        if (states.has(id) && !foldedAtStart(now)) release(id)
      })
    }
    if (start.watermark < cursor) watermarkBehind = true
  }

  /** Stop holding an incident: it is shown from its overview and folded again when opened (`hold`). */
  function release(id: string): void {
    for (const e of eventsByIncident.get(id) ?? []) known.delete(e.id)
    eventsByIncident.delete(id)
    states.delete(id)
  }

  const time = useClockStore()
  // A new offset (the first sync, or the phone's clock was changed): a last stamp
  // in the future came from the wrong clock, and must not hold every new event there.
  watch(
    () => time.offsetMs,
    () => clock?.rebase(),
  )

  async function open(): Promise<void> {
    const profile = useProfileStore()
    await profile.load()
    const local = await localData()
    const opened = local.database()
    await time.followOffset(local)
    clock = await local.openDeviceClock(opened, profile.deviceId, () => time.correctedNow())
    data = local
    await readStored(local, opened)
    await catchUp()
    ready.value = true
    // The kv row `lseq` changes with every stored event, in this tab or another.
    subscriptions.push(local.liveQuery(() => opened.kv.get('lseq')).subscribe({ next: () => void catchUp() }))
    subscriptions.push(
      local
        .liveQuery(() => local.unreadableEvents(opened))
        .subscribe({
          next: (rows) => {
            unreadable.value = rows.map((r) => ({ key: r.key, incidentId: r.incidentId ?? null, reason: r.reason }))
          },
        }),
    )
    subscriptions.push(
      local
        .liveQuery(() => local.rejectedEvents(opened))
        .subscribe({
          next: (rows) => {
            // Re-runs on every write to the events table; a new Map each time would re-render the Timeline for nothing.
            const next = new Map(rows.map((r) => [r.id, r.rejectedReason ?? 'rejected']))
            if (!sameEntries(rejected.value, next)) rejected.value = next
          },
        }),
    )
  }

  /** Reads this phone's events and follows new ones. Safe to call again: it opens once. */
  const start = onceUntilFailure(open)

  /**
   * A phone that has stored nothing yet (first visit): the list can say "no
   * incidents" at once, and start() opens the database later, off the first screen.
   */
  function markNothingStored(): void {
    ready.value = true
  }

  function stop(): void {
    for (const s of subscriptions.splice(0)) s.unsubscribe()
  }

  /**
   * The incidents held folded, in list order: every one not resolved (so "My
   * roles" and update reminders see them all), and resolved ones opened or
   * changed this session. The list shows `overviews`.
   */
  const incidents = computed<IncidentState[]>(() => {
    void revision.value
    return [...states.values()].sort(compareOverviews)
  })

  /** Every incident on this phone, folded or not, in list order. */
  const list = computed<IncidentOverview[]>(() => {
    void revision.value
    return [...overviews.values()].sort(compareOverviews)
  })

  /** One incident's folded state; undefined when it is not on this phone or not folded yet (see `hold`). */
  function incident(id: string): IncidentState | undefined {
    void revision.value
    return states.get(id)
  }

  /** One incident's overview, folded or not. */
  function overview(id: string): IncidentOverview | undefined {
    void revision.value
    return overviews.get(id)
  }

  function children(id: string): IncidentSummary[] {
    void revision.value
    return childrenOf(id, overviews.values())
  }

  /**
   * Add one event to an incident. Resolves once it is committed to IndexedDB
   * (and shown), or with the reason it was refused; nothing is stored then.
   */
  async function record<T extends EventType>(
    incidentId: string,
    type: T,
    payload: PayloadOf<T>,
  ): Promise<Validation<IncidentEvent>> {
    const profile = useProfileStore()
    if (!profile.hasName) return { ok: false, reason: 'Set your name in Settings first.' }
    // The first write of a first visit can come before the database has opened (main.ts).
    if (!clock || !data) await start()
    // A resolved incident written to (reopened, a late note) is folded first: the new event's conflicts are found against all of it.
    // An archived incident whose log cannot be fetched (offline) rejects here: nothing is written.
    await hold(incidentId)
    // The validators (valibot) load with the first write, not with the first screen; later writes find the module loaded.
    const { createEvent } = await writer()
    // Each last-writer-wins value names the write it replaces here, so a concurrent one shows (src/domain/conflicts.ts).
    const state = states.get(incidentId)
    const stamped = state ? withSeen(state, type, payload) : payload
    const made = createEvent(
      { clock: clock!, actor: profile.actor, now: () => time.correctedNow() },
      type,
      incidentId,
      stamped,
    )
    if (!made.ok) return made
    try {
      // The offset it was stamped with (null: not known yet, corrected before its first push).
      await data!.appendLocalEvents(data!.database(), [made.value], time.offsetMs)
    } catch (e) {
      if (isStorageFull(e)) {
        storageFull.value = true
        // Settings shows usage against quota: bring it up to date.
        usePersistenceStore()
          .refresh()
          .catch(() => {})
      }
      throw e
    }
    storageFull.value = false
    performance.mark('log-entry-committed') // bench hook: the IndexedDB commit of a recorded event
    ingest([made.value])
    return made
  }

  /** Declare a new incident (or a sub-incident, with `parentId`); resolves with its id. */
  async function declare(payload: PayloadOf<'incident.declared'>): Promise<Validation<string>> {
    const id = newId()
    const result = await record(id, 'incident.declared', payload)
    return result.ok ? { ok: true, value: id } : result
  }

  /**
   * Every event held for an incident id, folded or not, in arrival order: the
   * directory (incident id `directory`, src/domain/directory.ts) is folded from these.
   */
  function heldEvents(id: string): readonly IncidentEvent[] {
    void revision.value
    return eventsByIncident.get(id) ?? []
  }

  /** Events of one incident, for exports and the timeline. */
  function eventsOf(id: string): readonly IncidentEvent[] {
    void revision.value
    return states.get(id)?.events ?? []
  }

  /** The incident search index as saved on this phone (src/composables/useIncidentSearch.ts), or null. */
  async function savedSearchIndex(): Promise<unknown> {
    return data && db ? data.readSearchIndex(db) : null
  }

  /** Save the incident search index (JSON data); resolves once committed. */
  async function saveSearchIndex(index: unknown): Promise<void> {
    if (data && db) await data.writeSearchIndex(db, index)
  }

  return {
    revision,
    ready,
    openingCount,
    rejected,
    storageFull,
    unreadable,
    incidents,
    list,
    incident,
    overview,
    hold,
    children,
    eventsOf,
    heldEvents,
    savedSearchIndex,
    saveSearchIndex,
    start,
    markNothingStored,
    stop,
    catchUp,
    record,
    declare,
    prepareToWrite,
    prepareToOpen,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useIncidentsStore, import.meta.hot))
