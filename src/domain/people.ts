/**
 * The people a team has seen: everyone who made an event, was given a role or
 * owns a task, across every incident on this phone. The role picker offers
 * them so a handoff does not depend on spelling a name the same way twice.
 */
import type { IncidentEvent, Person } from './events'

/** Anything that names a person: an actor (always an id), a role holder or a typed name (maybe no id). */
export interface PersonRef {
  id?: string
  name: string
}

/** The form under which two names are the same name: trimmed, case-insensitive. */
export function nameKey(name: string): string {
  return name.trim().toLowerCase()
}

/** Two names are one name when they match trimmed and case-insensitively ("sam " is "Sam"). */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b)
}

/**
 * The one rule for "the same person": when both carry an id (a device), the ids
 * decide, so two responders who share a first name stay apart; when either has
 * none (a typed name), the names decide, trimmed and case-insensitive.
 */
export function samePerson(a: PersonRef, b: PersonRef): boolean {
  if (a.id && b.id) return a.id === b.id
  return sameName(a.name, b.name)
}

/**
 * The name of who sent `event` to the server, when it is not the person the
 * event names as its actor: a scribe logging for the commander, or a phone
 * writing under someone else's name. Null when the server did not say (not yet
 * synced, or stored before the server recorded senders) or when the names match.
 */
export function loggedByOther(event: Pick<IncidentEvent, 'actor' | 'receivedFrom'>): string | null {
  const sender = event.receivedFrom?.name
  return sender !== undefined && !sameName(sender, event.actor.name) ? sender : null
}

/**
 * Who an event is by, for people: the actor's name, or `logged by ‹sender› for
 * ‹actor›` when another person sent it. Never hidden: the timeline, the
 * incident document and the activity log all use this.
 */
export function attribution(event: Pick<IncidentEvent, 'actor' | 'receivedFrom'>): string {
  const sender = loggedByOther(event)
  return sender === null ? event.actor.name : `logged by ${sender} for ${event.actor.name}`
}

export interface SeenPerson extends Person {
  /** When they were last seen (the `at` of their latest event), for sorting. */
  lastSeenAt: string
}

/**
 * People in a stream of events, one entry per person. A person with a device
 * id is one person whatever they are called; a typed name without an id joins
 * the person of that name (case-insensitive). The newest name of an id wins.
 * O(n) in the number of events.
 */
export function peopleSeen(events: Iterable<IncidentEvent>): SeenPerson[] {
  const byId = new Map<string, SeenPerson>()
  const byName = new Map<string, SeenPerson>()

  function see(person: Person, at: string): void {
    const name = person.name.trim()
    if (!name) return
    if (person.id) {
      const known = byId.get(person.id)
      if (known) {
        if (at >= known.lastSeenAt) {
          known.name = name
          known.lastSeenAt = at
        }
        return
      }
      byId.set(person.id, { id: person.id, name, lastSeenAt: at })
      return
    }
    const key = nameKey(name)
    const known = byName.get(key)
    if (known) {
      if (at > known.lastSeenAt) known.lastSeenAt = at
    } else byName.set(key, { name, lastSeenAt: at })
  }

  for (const e of events) {
    see(e.actor, e.at)
    if (e.type === 'role.assigned' && e.payload.person) see(e.payload.person, e.at)
    if (e.type === 'task.added' && e.payload.owner) see({ name: e.payload.owner }, e.at)
  }

  // A typed name that matches someone with an id is that someone.
  const out = [...byId.values()]
  const namesWithId = new Set(out.map((p) => nameKey(p.name)))
  for (const [key, person] of byName) if (!namesWithId.has(key)) out.push(person)
  return out.sort((a, b) => a.name.localeCompare(b.name) || (a.id ?? '').localeCompare(b.id ?? ''))
}

/**
 * The person a typed name means: someone seen by that name (with their id),
 * else a new person with the name only.
 */
export function personFromName(typed: string, seen: readonly Person[]): Person {
  const name = typed.trim()
  // A typed name has no id, so it is the same person as anyone seen by that name.
  const match = seen.find((p) => samePerson({ name }, p))
  return match ? (match.id ? { id: match.id, name: match.name } : { name: match.name }) : { name }
}
