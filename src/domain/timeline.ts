/**
 * The Timeline as data: one item per event (amendments show on their entry),
 * newest first, with filters by kind and by person. Linear in the number of
 * events, so a 10,000-entry incident costs one pass per change, not n².
 */
import { categoryOf, describeConflict, describeEvent } from './describe'
import type { TimelineCategory } from './describe'
import type { Actor, EventType, IncidentEvent } from './events'
import type { IncidentState, LogEntry } from './fold'
import { attribution } from './people'
import type { LocalDay } from './time'
import { forgetTimeline, lastItems as memo } from './timeline-memo'

export interface TimelineItem {
  event: IncidentEvent
  category: TimelineCategory
  text: string
  /** `event.at` in ms since the epoch, parsed once per item: day headings walk all 10,000 on every change. */
  atMs: number
  /** Set for log entries: the ones that can be pinned, corrected or struck. */
  entry?: LogEntry
  /** Who it is by: the actor, or `logged by ‹sender› for ‹actor›` (people.ts `attribution`). */
  by: string
  /** One line per write this event replaced that was made at the same time offline (src/domain/conflicts.ts). */
  conflicts?: string[]
}

export const TIMELINE_FILTERS: { category: TimelineCategory; label: string }[] = [
  { category: 'action', label: 'Actions' },
  { category: 'decision', label: 'Decisions' },
  { category: 'observation', label: 'Seen' },
  { category: 'note', label: 'Notes' },
  { category: 'change', label: 'Changes' },
  { category: 'update', label: 'Updates' },
  { category: 'role', label: 'Roles' },
  { category: 'status', label: 'Status' },
  { category: 'task', label: 'Tasks' },
]

/**
 * How an event of each type shows on the Timeline; the incremental update
 * (`timelineItems`) and the exports rely on it:
 * - `own`: a row that shows the event alone;
 * - `entry`: a row that shows its log entry, which later amendments change in place;
 * - `refers`: a row that reads another part of the state (a change or task that
 *   may arrive later, by sync), so it is described again when that changes;
 * - `amends`: no row of its own; it changes a row already shown.
 */
export type TimelineRow = 'own' | 'entry' | 'refers' | 'amends'

/** The one list of event types by how they show; a new type fails the type check here. */
export const TIMELINE_ROWS: Record<EventType, TimelineRow> = {
  'incident.declared': 'own',
  'incident.edited': 'own',
  'incident.status': 'own',
  'role.assigned': 'own',
  'log.entry': 'entry',
  'log.amended': 'amends',
  'change.made': 'own',
  'change.reverted': 'refers',
  'update.posted': 'own',
  'task.added': 'own',
  'task.done': 'refers',
  'task.reopened': 'refers',
  'conflict.acknowledged': 'refers',
  'task.edited': 'refers',
  // Directory events never reach an incident's fold (their incident id is `directory`).
  'audience.saved': 'amends',
  'contact.saved': 'amends',
  'update.emailed': 'own',
}

/** One line per event as the Timeline, the document and the exports show it: `describeEvent` under the name they import. */
export const describeInContext = describeEvent

/** Whether an event gets a Timeline row of its own (amendments show on their entry). */
export function hasOwnRow(e: IncidentEvent): boolean {
  return TIMELINE_ROWS[e.type] !== 'amends'
}

/**
 * Items are kept per event and handed out again while nothing they show has
 * changed, so a new entry re-renders one row, not every visible one. Events are
 * immutable; log entries are mutated in place by the fold, hence the comparison.
 */
const itemCache = new WeakMap<IncidentEvent, Cached>()

interface Cached {
  item: TimelineItem
  /** What the row showed of its entry, or its text for events that read other parts of the state. */
  text: string
  struck: boolean
  pinned: boolean
  amendments: number
  /** The conflict lines it showed, joined: a write that arrives later can make this event replace it. */
  conflicts: string
}

// Compared field by field: no string is built per event on every write (10,000 of them).
function stillShows(
  cached: Cached,
  event: IncidentEvent,
  state: IncidentState,
  entry: LogEntry | undefined,
  conflicts: string,
): boolean {
  if (cached.item.entry !== entry) return false
  if (cached.conflicts !== conflicts) return false
  if (entry)
    return (
      cached.text === entry.text &&
      cached.struck === entry.struck &&
      cached.pinned === entry.pinned &&
      cached.amendments === entry.history.length
    )
  if (TIMELINE_ROWS[event.type] === 'refers') return cached.text === describeEvent(event, state)
  return true
}

/** The memo, typed for this module (timeline-memo.ts holds it so the store can clear it without this file). */
const lastItems = memo as WeakMap<
  IncidentState,
  { length: number; last: IncidentEvent | undefined; items: TimelineItem[] }
>

/** Every item, newest first. The same item object while its event shows the same. */
export function timelineItems(state: IncidentState): TimelineItem[] {
  const events = state.events
  const prev = lastItems.get(state)
  // Appended only (the fold keeps order, so an event from the past lands before the end and fails this check).
  if (prev && events.length >= prev.length && events[prev.length - 1] === prev.last) {
    const added: TimelineItem[] = []
    let plain = true
    for (let i = events.length - 1; i >= prev.length && plain; i--) {
      const event = events[i]!
      // Amendments change rows already shown; references may change once their target arrives.
      const row = TIMELINE_ROWS[event.type]
      if (row === 'amends' || row === 'refers') plain = false
      else added.push(itemFor(event, state))
    }
    if (plain) {
      const items = added.length ? added.concat(prev.items) : prev.items
      lastItems.set(state, { length: events.length, last: events[events.length - 1], items })
      return items
    }
  }
  const items = allItems(state)
  lastItems.set(state, { length: events.length, last: events[events.length - 1], items })
  return items
}

/** Conflict lines by the id of the write that counts, per state and number of conflicts: few, built once per change. */
const conflictLines = new WeakMap<IncidentState, { count: number; byEvent: Map<string, string[]> }>()

function conflictsOf(state: IncidentState): Map<string, string[]> {
  const known = conflictLines.get(state)
  if (known && known.count === state.conflicts.length) return known.byEvent
  const byEvent = new Map<string, string[]>()
  for (const c of state.conflicts) {
    const lines = byEvent.get(c.kept.eventId)
    const line = describeConflict(c, state)
    if (lines) lines.push(line)
    else byEvent.set(c.kept.eventId, [line])
  }
  conflictLines.set(state, { count: state.conflicts.length, byEvent })
  return byEvent
}

function itemFor(event: IncidentEvent, state: IncidentState): TimelineItem {
  const entry = event.type === 'log.entry' ? state.entries.get(event.id) : undefined
  const lines = state.conflicts.length ? conflictsOf(state).get(event.id) : undefined
  const joined = lines ? lines.join('\n') : ''
  const cached = itemCache.get(event)
  if (cached && stillShows(cached, event, state, entry, joined)) return cached.item
  const item: TimelineItem = {
    event,
    category: categoryOf(event),
    text: describeEvent(event, state),
    atMs: Date.parse(event.at),
    entry,
    by: attribution(event),
  }
  if (lines) item.conflicts = lines
  itemCache.set(event, {
    item,
    text: entry ? entry.text : item.text,
    struck: !!entry?.struck,
    pinned: !!entry?.pinned,
    amendments: entry?.history.length ?? 0,
    conflicts: joined,
  })
  return item
}

export { forgetTimeline }

function allItems(state: IncidentState): TimelineItem[] {
  const out: TimelineItem[] = []
  const events = state.events
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!
    if (hasOwnRow(event)) out.push(itemFor(event, state))
  }
  return out
}

export interface TimelineFilter {
  /** Categories to show; empty shows all. */
  categories: ReadonlySet<TimelineCategory>
  /** An actor id; null shows everyone. */
  actorId: string | null
}

export const NO_FILTER: TimelineFilter = { categories: new Set(), actorId: null }

export function matchesFilter(item: TimelineItem, filter: TimelineFilter): boolean {
  if (filter.categories.size && !filter.categories.has(item.category)) return false
  if (filter.actorId !== null && item.event.actor.id !== filter.actorId) return false
  return true
}

/** Filtered items, pinned entries first (newest pinned first), then the rest. */
export function filterTimeline(
  items: readonly TimelineItem[],
  filter: TimelineFilter,
): { pinned: TimelineItem[]; rest: TimelineItem[] } {
  const pinned: TimelineItem[] = []
  const rest: TimelineItem[] = []
  for (const item of items) {
    if (!matchesFilter(item, filter)) continue
    if (item.entry?.pinned) pinned.push(item)
    else rest.push(item)
  }
  return { pinned, rest }
}

/** Who appears in an incident's events (by actor id), for the person filter. */
export function timelineActors(state: IncidentState): Actor[] {
  const byId = new Map<string, Actor>()
  // Later events overwrite: the newest name of a device wins.
  for (const e of state.events) byId.set(e.actor.id, e.actor)
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/**
 * Where the list shown needs a day heading: index → the day that starts there.
 * A heading opens the list, opens the unpinned part (`restStart`, the number of
 * pinned items shown above it), and marks every change of day between
 * neighbours. One pass; `dayOf` (from the time formatter) answers neighbours on
 * the same day without asking Intl, so 10,000 items cost a few Intl calls per day.
 */
export function timelineDayStarts(
  items: readonly TimelineItem[],
  dayOf: (ms: number) => LocalDay,
  restStart = 0,
): Map<number, LocalDay> {
  const starts = new Map<number, LocalDay>()
  let previous = ''
  for (let i = 0; i < items.length; i++) {
    const day = dayOf(items[i]!.atMs)
    if (i === 0 || i === restStart || day.key !== previous) starts.set(i, day)
    previous = day.key
  }
  return starts
}
