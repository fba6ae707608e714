/**
 * Concurrent writes that last-writer-wins discards, made visible.
 *
 * Each last-writer-wins value (a role's holder, a field of the incident, a
 * task's done flag, a log entry's text, struck or pinned flag) is a register.
 * A write names in `payload.seen` the write whose value it replaced on its
 * author's phone (docs/CONTRACT-EXTENSIONS.md). When the fold applies write W
 * over the register's current write L:
 *
 * - W saw L when `W.seen` is L, or leads to L through the `seen` of earlier
 *   writes of the same register;
 * - L saw W when `L.seen` leads to W the same way (only a phone whose clock was
 *   kept behind W's, so its write sorts first, can do that);
 * - otherwise, if `W.seen` names a write this register already holds, W's phone
 *   held a value older than L when W was made, so it did not hold L, and L did
 *   not hold W (it would name it): neither saw the other. If their values
 *   differ, that is a conflict: L's value was discarded without anyone choosing so.
 *
 * Writes without `seen` (older app versions) and writes naming one this phone
 * does not hold yet are never called concurrent: no false alarms. Everything
 * read is an earlier write of the same register in fold order, so the result
 * depends only on the set of events, like the rest of the fold.
 *
 * Pure, with types only from events.ts: the first screen loads it without valibot.
 */
import type { Actor, EventOf, EventType, IncidentEvent, PayloadOf, Person, Role } from './events'
import { samePerson } from './people'

/** A field of the incident that `incident.edited` sets. */
export type EditedField = 'title' | 'severity' | 'summary' | 'location' | 'updateCadenceMinutes'
/** A part of a log entry that `log.amended` sets. */
export type EntryAspect = 'text' | 'struck' | 'pinned'

export const EDITED_FIELDS: readonly EditedField[] = [
  'title',
  'severity',
  'summary',
  'location',
  'updateCadenceMinutes',
]
export const ENTRY_ASPECTS: readonly EntryAspect[] = ['text', 'struck', 'pinned']

/** What a conflict is about: one register. */
export type ConflictSubject =
  | { kind: 'role'; role: Role }
  | { kind: 'field'; field: EditedField }
  | { kind: 'task'; taskId: string }
  | { kind: 'entry'; entryId: string; aspect: EntryAspect }

/** A value a register holds: a person (null: the commander), a field's value, a flag. */
export type RegisterValue = Person | null | string | number | boolean

/** One write of a register, as the fold keeps it. */
export interface Write {
  eventId: string
  actor: Actor
  at: string
  value: RegisterValue
  /** The write it replaced on its author's phone (`payload.seen`), if it says. */
  seen?: string
}

/** Who confirmed a conflict (`conflict.acknowledged`), the first in fold order. */
export interface Acknowledgement {
  eventId: string
  actor: Actor
  at: string
}

/** A write discarded by last-writer-wins, made while neither phone held the other's. */
export interface Conflict {
  subject: ConflictSubject
  /** The write that counts (later by `(hlc, id)`). */
  kept: Write
  /** The write whose value was replaced. */
  replaced: Write
  acknowledged: Acknowledgement | null
}

/** A register: its current write, and every write it has taken (id → that write's `seen`). */
export interface Register {
  current: Write | null
  writers: Map<string, string | undefined>
}

/** The part of an incident's state this module keeps. */
export interface ConflictState {
  declaration: { id: string }
  /** Register key (`role:ops`, `field:title`, `task:<taskId>`, `entry:<entryId>:text`) → register; made on first write. */
  registers: Map<string, Register>
  /** In the order the fold found them. */
  conflicts: Conflict[]
  /** `<keptId>><replacedId>` → the first confirmation of that pair. */
  acknowledgements: Map<string, Acknowledgement>
}

function keyOf(subject: ConflictSubject): string {
  switch (subject.kind) {
    case 'role':
      return `role:${subject.role}`
    case 'field':
      return `field:${subject.field}`
    case 'task':
      return `task:${subject.taskId}`
    case 'entry':
      return `entry:${subject.entryId}:${subject.aspect}`
  }
}

/**
 * What a register's first value came from, named by the first write's `seen`:
 * the declaration for roles and fields, the task's id, the log entry's id.
 */
function originOf(state: ConflictState, subject: ConflictSubject): string {
  switch (subject.kind) {
    case 'role':
    case 'field':
      return state.declaration.id
    case 'task':
      return subject.taskId
    case 'entry':
      return subject.entryId
  }
}

/** The id a new write of `subject` names in `seen` on this phone: the current write, else the origin. */
export function currentWriter(state: ConflictState, subject: ConflictSubject): string {
  return state.registers.get(keyOf(subject))?.current?.eventId ?? originOf(state, subject)
}

/** Whether following `seen` from `start` through the register's writes reaches `target`. */
function leadsTo(writers: ReadonlyMap<string, string | undefined>, start: string | undefined, target: string): boolean {
  // Bounded by the number of writes: a hostile cycle of `seen` cannot loop forever.
  let x = start
  for (let steps = 0; x !== undefined && steps <= writers.size; steps++) {
    if (x === target) return true
    x = writers.get(x)
  }
  return false
}

function sameValue(a: RegisterValue, b: RegisterValue): boolean {
  if (a && b && typeof a === 'object' && typeof b === 'object') return samePerson(a, b)
  return a === b
}

const pairKey = (keptId: string, replacedId: string) => `${keptId}>${replacedId}`

/**
 * Apply write `e` of `subject` to its register, in fold order, recording a
 * conflict when it replaces a write neither saw (module comment).
 */
export function writeRegister(
  state: ConflictState,
  subject: ConflictSubject,
  e: IncidentEvent,
  value: RegisterValue,
  seen: string | undefined,
): void {
  const key = keyOf(subject)
  let register = state.registers.get(key)
  if (!register) {
    register = { current: null, writers: new Map([[originOf(state, subject), undefined]]) }
    state.registers.set(key, register)
  }
  const write: Write = { eventId: e.id, actor: e.actor, at: e.at, value, seen }
  const loser = register.current
  if (
    loser &&
    seen !== undefined &&
    seen !== loser.eventId &&
    register.writers.has(seen) &&
    !sameValue(loser.value, value) &&
    !leadsTo(register.writers, seen, loser.eventId) &&
    !leadsTo(register.writers, loser.seen, e.id)
  )
    state.conflicts.push({
      subject,
      kept: write,
      replaced: loser,
      acknowledged: state.acknowledgements.get(pairKey(e.id, loser.eventId)) ?? null,
    })
  register.writers.set(e.id, seen)
  register.current = write
}

/**
 * Apply a `conflict.acknowledged`: the first confirmation of a pair counts,
 * whether it sorts before or after the writes it names (a phone with a slow
 * clock), so the result does not depend on the order.
 */
export function acknowledge(state: ConflictState, e: EventOf<'conflict.acknowledged'>): void {
  const key = pairKey(e.payload.keptId, e.payload.replacedId)
  if (state.acknowledgements.has(key)) return
  const ack: Acknowledgement = { eventId: e.id, actor: e.actor, at: e.at }
  state.acknowledgements.set(key, ack)
  for (const c of state.conflicts)
    if (!c.acknowledged && c.kept.eventId === e.payload.keptId && c.replaced.eventId === e.payload.replacedId)
      c.acknowledged = ack
}

/** Conflicts no one has confirmed yet, in the order found. */
export function openConflicts(state: ConflictState): Conflict[] {
  return state.conflicts.filter((c) => !c.acknowledged)
}

/**
 * A payload with `seen` filled in from this phone's state: for each value the
 * event sets, the write it replaces here. A `seen` already given is kept; types
 * without last-writer-wins values are returned as they are.
 */
export function withSeen<T extends EventType>(state: ConflictState, type: T, payload: PayloadOf<T>): PayloadOf<T> {
  const p = payload as Record<string, unknown>
  if (p.seen !== undefined) return payload
  const current = (subject: ConflictSubject) => currentWriter(state, subject)
  // The switch on `type` does not narrow a generic payload: the one cast is here, and the factory validates the result.
  const stamped = (seen: unknown) => ({ ...p, seen }) as PayloadOf<T>
  // Only the types with last-writer-wins values; any other type (and any new one) has nothing to name.
  if (type === 'role.assigned') return stamped(current({ kind: 'role', role: p.role as Role }))
  if (type === 'task.done' || type === 'task.reopened')
    return stamped(current({ kind: 'task', taskId: p.taskId as string }))
  if (type === 'incident.edited') {
    const seen: Partial<Record<EditedField, string>> = {}
    for (const field of EDITED_FIELDS) if (p[field] !== undefined) seen[field] = current({ kind: 'field', field })
    return stamped(seen)
  }
  if (type === 'log.amended') {
    const seen: Partial<Record<EntryAspect, string>> = {}
    const entryId = p.entryId as string
    for (const aspect of ENTRY_ASPECTS)
      if (p[aspect] !== undefined) seen[aspect] = current({ kind: 'entry', entryId, aspect })
    return stamped(seen)
  }
  return payload
}
