import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { EventType, IncidentEvent, PayloadOf, Validation } from '../domain/events'
import { applyEvent, childrenOf, foldIncident } from '../domain/fold'
import { withSeen } from '../domain/conflicts'
import type { IncidentState, IncidentSummary } from '../domain/fold'
import type { HybridClock } from '../domain/hlc'
import { newId } from '../domain/ids'
import { localData, type LocalData } from '../db/load'
import { isStorageFull } from '../db/storage-full'
import type { Subscription } from '../db/local'
import { forgetTimeline } from '../domain/timeline-memo'
import { useClockStore } from './clock'
import { onceUntilFailure } from './once'
import { usePersistenceStore } from './persistence'
import { useProfileStore } from './profile'

const STATUS_ORDER = { active: 0, mitigated: 1, resolved: 2 } as const

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

/**
 * Every incident on this phone, folded from its events, and the commands
 * that add events. Folded states are kept outside Vue's deep reactivity (an
 * incident can hold 10,000 entries); `revision` ticks when any of them changes.
 */
/** Index of the event with this id, searched from the end: an echo is usually of one of the latest. */
function lastIndexOfId(list: readonly IncidentEvent[], id: string): number {
  let i = list.length - 1
  while (i >= 0 && list[i]!.id !== id) i--
  return i
}

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
  const eventsByIncident = new Map<string, IncidentEvent[]>()
  const known = new Set<string>()
  let cursor = 0
  let clock: HybridClock | null = null
  /** The database code, once loaded (start). */
  let data: LocalData | null = null
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
    if (touched.size) revision.value++
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

  /** Read what other tabs, the sync engine or the service worker stored since we last looked. */
  function catchUp(): Promise<void> {
    catchingUp = catchingUp.then(async () => {
      if (!data) return
      const rows = await data.eventsAfter(data.database(), cursor)
      if (rows.length) {
        cursor = rows[rows.length - 1]!.lseq
        ingest(rows.map((r) => r.event))
      }
    })
    return catchingUp
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
    const db = local.database()
    await time.followOffset(local)
    clock = await local.openDeviceClock(db, profile.deviceId, () => time.correctedNow())
    data = local
    await catchUp()
    ready.value = true
    // The kv row `lseq` changes with every stored event, in this tab or another.
    subscriptions.push(local.liveQuery(() => db.kv.get('lseq')).subscribe({ next: () => void catchUp() }))
    subscriptions.push(
      local
        .liveQuery(() => local.unreadableEvents(db))
        .subscribe({
          next: (rows) => {
            unreadable.value = rows.map((r) => ({ key: r.key, incidentId: r.incidentId ?? null, reason: r.reason }))
          },
        }),
    )
    subscriptions.push(
      local
        .liveQuery(() => local.rejectedEvents(db))
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

  const incidents = computed<IncidentState[]>(() => {
    void revision.value
    return [...states.values()].sort(
      (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.severity - b.severity || (a.lastHlc < b.lastHlc ? 1 : -1),
    )
  })

  function incident(id: string): IncidentState | undefined {
    void revision.value
    return states.get(id)
  }

  function children(id: string): IncidentSummary[] {
    void revision.value
    return childrenOf(id, states.values())
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
    // The validators (valibot) load with the first write, not with the first screen; later writes find the module loaded.
    const { createEvent } = await import('../domain/factory')
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

  return {
    revision,
    ready,
    rejected,
    storageFull,
    unreadable,
    incidents,
    incident,
    children,
    eventsOf,
    heldEvents,
    start,
    markNothingStored,
    stop,
    catchUp,
    record,
    declare,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useIncidentsStore, import.meta.hot))
