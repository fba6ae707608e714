/**
 * The directory: audiences (named lists of addresses an update is emailed to)
 * and contacts (ICS 205A: people and vendors with their numbers), as a pure
 * function of the events of the reserved incident `directory`.
 *
 * Like an incident, it is folded in `(hlc, id)` order with duplicates dropped,
 * so every phone and the server that hold the same events hold the same
 * directory. Each field is a last-writer-wins register; `removed` is one too,
 * so a removal can be undone by a later save.
 */
import { compareEvents } from './fold'
import type { AudienceMember, ContactPhone, EventOf, IncidentEvent } from './events'
import { DIRECTORY_ID, type ContactKind } from './directory-vocabulary'

export { DIRECTORY_ID }

/** An audience as the last writer of each field left it. */
export interface Audience {
  id: string
  name: string
  members: AudienceMember[]
  note: string
  removed: boolean
  /** Time of the latest save, ISO (display only). */
  updatedAt: string
}

/** A contact as the last writer of each field left it. */
export interface Contact {
  id: string
  name: string
  kind: ContactKind
  role: string
  organization: string
  phones: ContactPhone[]
  email: string
  notes: string
  removed: boolean
  updatedAt: string
}

/** Every audience and contact ever saved (removed ones flagged, not dropped). */
export interface DirectoryState {
  audiences: Map<string, Audience>
  contacts: Map<string, Contact>
}

/** The directory's own events, as the fold reads them. */
export type DirectoryEvent = EventOf<'audience.saved'> | EventOf<'contact.saved'>

/** True for an event the directory fold reads. */
export function isDirectoryEvent(e: IncidentEvent): e is DirectoryEvent {
  return e.incidentId === DIRECTORY_ID && (e.type === 'audience.saved' || e.type === 'contact.saved')
}

function applyAudience(state: DirectoryState, e: EventOf<'audience.saved'>): void {
  const p = e.payload
  const a = state.audiences.get(p.audienceId) ?? {
    id: p.audienceId,
    name: '',
    members: [],
    note: '',
    removed: false,
    updatedAt: e.at,
  }
  if (p.name !== undefined) a.name = p.name
  if (p.members !== undefined) a.members = p.members
  if (p.note !== undefined) a.note = p.note
  if (p.removed !== undefined) a.removed = p.removed
  a.updatedAt = e.at
  state.audiences.set(a.id, a)
}

function applyContact(state: DirectoryState, e: EventOf<'contact.saved'>): void {
  const p = e.payload
  const c = state.contacts.get(p.contactId) ?? {
    id: p.contactId,
    name: '',
    kind: 'person' as ContactKind,
    role: '',
    organization: '',
    phones: [],
    email: '',
    notes: '',
    removed: false,
    updatedAt: e.at,
  }
  if (p.name !== undefined) c.name = p.name
  if (p.kind !== undefined) c.kind = p.kind
  if (p.role !== undefined) c.role = p.role
  if (p.organization !== undefined) c.organization = p.organization
  if (p.phones !== undefined) c.phones = p.phones
  if (p.email !== undefined) c.email = p.email
  if (p.notes !== undefined) c.notes = p.notes
  if (p.removed !== undefined) c.removed = p.removed
  c.updatedAt = e.at
  state.contacts.set(c.id, c)
}

/**
 * Fold the directory from any mix of events (others are skipped), in
 * `(hlc, id)` order with one copy of each id. A record whose first save set no
 * name keeps an empty one until a save names it.
 */
export function foldDirectory(events: readonly IncidentEvent[]): DirectoryState {
  const mine = events.filter(isDirectoryEvent).sort(compareEvents)
  const state: DirectoryState = { audiences: new Map(), contacts: new Map() }
  let last = ''
  for (const e of mine) {
    if (e.id === last) continue
    last = e.id
    if (e.type === 'audience.saved') applyAudience(state, e)
    else applyContact(state, e)
  }
  return state
}

/**
 * Records not removed (or, with `removed`, only the removed ones), by name
 * (case-insensitive, then id so equal names keep one order everywhere).
 */
export function listed<T extends { name: string; id: string; removed: boolean }>(
  records: Iterable<T>,
  removed = false,
): T[] {
  return [...records]
    .filter((r) => r.removed === removed)
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || (a.id < b.id ? -1 : 1))
}

/**
 * The addresses an audience is emailed to: lower-cased for comparison, each
 * once (the first member's name kept), in the members' order.
 */
export function recipientsOf(audience: Pick<Audience, 'members'>): AudienceMember[] {
  const seen = new Set<string>()
  const out: AudienceMember[] = []
  for (const m of audience.members) {
    const key = m.email.toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ ...m, email: key })
  }
  return out
}

/** A phone number as a `tel:` URI: the digits, a leading `+`, and `;ext=` for an extension. */
export function telHref(number: string): string {
  const ext = /(?:x|ext\.?)\s*(\d{1,6})$/i.exec(number)
  const main = ext ? number.slice(0, ext.index) : number
  const digits = main.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '')
  return `tel:${digits}${ext ? `;ext=${ext[1]}` : ''}`
}
