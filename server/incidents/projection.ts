/**
 * The server's own view of every incident, for status pages and push
 * notices. It follows the event log from the store (never from one node's
 * memory), so with several nodes on one database each one sees what the
 * others stored: a push here refreshes it right after its answer (the hub,
 * events/follow-ups.ts), another node's within `pollMs`.
 *
 * Per incident it keeps what those features read (the public part and the
 * reminder view), folded with the domain's fold, so the server agrees with
 * every phone on who holds Comms, when an update is due and what the status
 * page shows. Open incidents also keep their folded state, so a push costs
 * only its own events (applied in place, as phones do); a resolved one keeps
 * only its views and is folded again from the store if it ever gets more.
 */
import { applyEvent, foldIncident, type IncidentState } from '../../src/domain/fold'
import type { IncidentEvent } from '../../src/domain/events'
import { reminderView, type ReminderView } from '../../src/domain/push'
import { publicIncident, type PublicIncident } from '../../src/domain/status-page'
import { singleFlight } from '../../src/domain/single-flight'
import { overviewOf, type IncidentOverview } from '../../src/domain/summary'
import { FOLLOW_PAGE, type LogReader } from '../events/shared-reads'
import type { EventStore, IncidentReader } from '../store/types'

/** One incident whose events grew in a refresh: its state after them, and the new events. */
export interface IncidentChange {
  state: IncidentState
  /** The events this refresh read for it, in seq order. */
  added: IncidentEvent[]
}

/**
 * Told after each refresh that changed something. `live` is false for the
 * first catch-up (history the server already held when it started): notices
 * are only for what arrives while it runs.
 */
export type ProjectionListener = (changes: IncidentChange[], live: boolean) => void | Promise<void>

export interface ProjectionOptions {
  store: EventStore & IncidentReader
  /** How often to look for events other nodes stored (ms); 0: only when told (tests). Default 2,000. */
  pollMs?: number
  /** Events read per page while catching up. */
  pageSize?: number
  /** Where it reads what was stored since its last refresh: the node's SharedReads; default the store. */
  log?: LogReader
}

const NONE: ReadonlySet<number> = new Set()

/** One incident id as `GET /api/summaries` serves it (src/domain/wire.ts SummaryEntrySchema). */
export interface SummaryEntry {
  id: string
  /** The seq of its latest stored event. */
  lastSeq: number
  /** null: its events fold to no incident (no declaration yet, the directory). */
  overview: IncidentOverview | null
}

/** A page of summaries (src/domain/wire.ts SummaryPageSchema, without `serverId`). */
export interface SummaryPage {
  summaries: SummaryEntry[]
  last: number
  lastId?: string
  more: boolean
}

/** Events read per page from the log's start: the pull's own maximum. */
const PAGE = 1000

/**
 * Events applied in place between two turns of the event loop (about 0.6 ms on the 2-core machines).
 * A 500-event push applied at once held the thread 3 ms: a request arriving meanwhile (a PostgreSQL
 * answer the next push was waiting for, say) waited for all of it.
 */
export const APPLY_SLICE = 100

/**
 * Applies `events` to `state` in place, in order, letting pending I/O run between slices of APPLY_SLICE;
 * false at the first event applyEvent refuses (those before it stay applied). Between slices the state
 * holds a prefix of the events: what it would hold had fewer arrived.
 */
async function applyInSlices(state: IncidentState, events: readonly IncidentEvent[]): Promise<boolean> {
  for (let from = 0; from < events.length; from += APPLY_SLICE) {
    if (from > 0) await new Promise((resolve) => setImmediate(resolve))
    for (let i = from; i < Math.min(from + APPLY_SLICE, events.length); i++)
      if (!applyEvent(state, events[i]!)) return false
  }
  return true
}

/** The incidents as the server sees them, following the log in the store. See the file's comment. */
export class IncidentProjection {
  private cursor = 0
  private started = false
  /**
   * Per incident: its reminder view, and its public part once asked for. An open incident's public part
   * is made from its state when a status page asks (null until then, and again after each change): made
   * on every refresh it cost a pass over the whole incident per push, which a 500-event push of a
   * 10,000-event incident paid twenty times over without anyone reading it.
   */
  private readonly views = new Map<string, { public: PublicIncident | null; reminder: ReminderView }>()
  /** Folded states of the incidents not resolved. */
  private readonly open = new Map<string, IncidentState>()
  private readonly listeners = new Set<ProjectionListener>()
  /** Access tokens each device (actor id) has sent events through: a person's token reaches all their devices. */
  private readonly actorTokens = new Map<string, Set<number>>()
  private readonly flight = singleFlight(() => this.catchUp())
  /**
   * Every incident id with events, in ascending order of its latest event's seq (a changed incident is
   * moved to the end), for `summariesAfter`. `overview` undefined: an open incident's, made from its state
   * when first asked after a change (like `public`); null: no declaration.
   */
  private readonly latest = new Map<string, { lastSeq: number; overview: IncidentOverview | null | undefined }>()
  /** The seq (and its event's id) every entry of `latest` reflects: moved only once a refresh has applied it all. */
  private summarizedUpTo = 0
  private summarizedId: string | undefined
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly options: ProjectionOptions) {}

  /** Reads the whole log once (no notices for it), then polls. Resolves when the first catch-up is done. */
  async start(): Promise<void> {
    await this.refresh()
    const pollMs = this.options.pollMs ?? 2000
    if (pollMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.refresh().catch(() => {}), pollMs)
      this.timer.unref()
    }
  }

  /** Stops polling (a refresh under way finishes). */
  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Read what was stored since the last refresh; concurrent calls share one run (and one more after it). */
  refresh(): Promise<void> {
    return this.flight.run()
  }

  /** Told after each refresh that changed something; returns the unsubscribe. */
  onChange(listener: ProjectionListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The public part of an incident, or null when the server holds no declaration for it. */
  publicView(incidentId: string): PublicIncident | null {
    const view = this.views.get(incidentId)
    if (!view) return null
    // Only open incidents are left unmade (their state is kept); a resolved one's was made when it resolved.
    view.public ??= publicIncident(this.open.get(incidentId)!)
    return view.public
  }

  /** Every incident's public part. */
  publicViews(): PublicIncident[] {
    return [...this.views.keys()].map((id) => this.publicView(id)!)
  }

  /** The access tokens the device `actorId` sent events through (empty when none is known). */
  tokensOf(actorId: string): ReadonlySet<number> {
    return this.actorTokens.get(actorId) ?? NONE
  }

  /** Every incident's reminder view. */
  reminderViews(): ReminderView[] {
    return [...this.views.values()].map((v) => v.reminder)
  }

  /**
   * Incidents whose latest event's seq is above `after`, ascending by it, at most `limit` (see
   * SummaryPage). Call `refresh()` first to include what other nodes stored. Paging by `lastSeq` loses
   * nothing: an incident that changes between two pages moves past every seq asked so far, into a later page.
   */
  summariesAfter(after: number, limit: number): SummaryPage {
    const summaries: SummaryEntry[] = []
    let more = false
    for (const [id, entry] of this.latest) {
      if (entry.lastSeq <= after) continue
      if (summaries.length === limit) {
        more = true
        break
      }
      if (entry.overview === undefined) entry.overview = overviewOf(this.open.get(id)!)
      summaries.push({ id, lastSeq: entry.lastSeq, overview: entry.overview })
    }
    if (more) return { summaries, last: summaries.at(-1)!.lastSeq, more }
    if (after >= this.summarizedUpTo) return { summaries, last: after, more }
    return {
      summaries,
      last: this.summarizedUpTo,
      more,
      ...(this.summarizedId === undefined ? {} : { lastId: this.summarizedId }),
    }
  }

  private async catchUp(): Promise<void> {
    const { store } = this.options
    // Read from the log's start: each incident's events below are all it has stored.
    const whole = this.cursor === 0
    // What a push added is read with the node's other followers, in their page size; the whole log alone.
    const log = whole ? store : (this.options.log ?? store)
    const size = this.options.pageSize ?? (whole ? PAGE : FOLLOW_PAGE)
    const added = new Map<string, IncidentEvent[]>()
    /** Per incident, its latest seq in this refresh; and the refresh's last event. */
    const lastSeqs = new Map<string, number>()
    let lastEvent: { seq: number; id: string } | undefined
    for (;;) {
      const page = await log.readEventsAfter(this.cursor, size)
      for (const e of page.events) {
        if (e.receivedFrom) {
          const tokens = this.actorTokens.get(e.actor.id)
          if (tokens) tokens.add(e.receivedFrom.tokenId)
          else this.actorTokens.set(e.actor.id, new Set([e.receivedFrom.tokenId]))
        }
        const list = added.get(e.incidentId)
        if (list) list.push(e)
        else added.set(e.incidentId, [e])
        lastSeqs.set(e.incidentId, e.seq)
        lastEvent = e
      }
      if (page.events.length) this.cursor = page.events.at(-1)!.seq
      if (!page.more || page.events.length === 0) break
    }
    const live = this.started
    this.started = true
    if (added.size === 0) return
    const changes: IncidentChange[] = []
    const overviews = new Map<string, IncidentOverview | null | undefined>()
    for (const [incidentId, events] of added) {
      const state = await this.advance(incidentId, events, whole)
      overviews.set(incidentId, state ? (state.status === 'resolved' ? overviewOf(state) : undefined) : null)
      if (!state) continue // its declaration has not arrived: its events wait, as on a phone
      const resolved = state.status === 'resolved'
      this.views.set(incidentId, { public: resolved ? publicIncident(state) : null, reminder: reminderView(state) })
      if (resolved) this.open.delete(incidentId)
      else this.open.set(incidentId, state)
      changes.push({ state, added: events })
    }
    // All at once, after the awaits: a summaries page never shows a seq its overviews do not reflect yet.
    for (const [incidentId, lastSeq] of [...lastSeqs].sort((a, b) => a[1] - b[1])) {
      this.latest.delete(incidentId)
      this.latest.set(incidentId, { lastSeq, overview: overviews.get(incidentId) })
    }
    if (lastEvent) {
      this.summarizedUpTo = lastEvent.seq
      this.summarizedId = lastEvent.id
    }
    for (const listener of this.listeners) await listener(changes, live)
  }

  /**
   * The incident's state with `events` applied: in place when they come after
   * what its state holds; else folded again, since last writer wins needs the
   * whole order. An open incident's state holds every stored event its
   * declaration accepts (the rest it would refuse again), so an event stamped
   * earlier is folded with those, without a read: several phones pushing one
   * busy incident at once made every node read and parse all of it on nearly
   * every push. `whole`: `events` are all the incident has stored (a catch-up
   * from the log's start). A new declaration, or a resolved or unknown
   * incident, is folded from its stored events.
   */
  private async advance(incidentId: string, events: IncidentEvent[], whole: boolean): Promise<IncidentState | null> {
    if (whole) return foldIncident(events)
    const state = this.open.get(incidentId)
    if (state) {
      // applyEvent may have applied some before the one it refused: sortEvents keeps one copy of each id.
      if (await applyInSlices(state, events)) return state
      if (!events.some((e) => e.type === 'incident.declared')) return foldIncident([...state.events, ...events])
    }
    return foldIncident(await this.options.store.readIncidentEvents(incidentId))
  }
}
