/**
 * The fold: an incident's state as a pure function of its events.
 *
 * Events are applied in `(hlc, id)` order, duplicates dropped, so every phone
 * holding the same set of events shows the same state whatever order they
 * arrived in. Per-field "last writer wins" falls out of that order.
 *
 * Only one declaration is the incident's (src/domain/declaration.ts): the one
 * the server stored first. Other declarations, and events stamped at or before
 * it, cannot be true and are ignored, as the server refuses them.
 */
import { ALREADY_DECLARED, chooseDeclaration, refusalFor } from './declaration'
import type { Declaration } from './declaration'
import { assertNever } from './assert'
import { DEFAULT_UPDATE_CADENCE_MINUTES, ROLES } from './vocabulary'
import type {
  Actor,
  EventOf,
  IncidentEvent,
  LogKind,
  PayloadOf,
  Person,
  Role,
  Severity,
  Status,
  TaskKind,
} from './events'
import { hlcMillis } from './hlc'
import { samePerson } from './people'
import { EDITED_FIELDS, ENTRY_ASPECTS, acknowledge, writeRegister } from './conflicts'
import type { Acknowledgement, Conflict, ConflictState, Register } from './conflicts'

export interface RoleAssignment {
  /** null: not delegated, so the commander holds it. */
  person: Person | null
  since: string
  by: Actor | null
  briefing?: string
}

export interface Amendment {
  eventId: string
  at: string
  actor: Actor
  text?: string
  struck?: boolean
  pinned?: boolean
  reason?: string
}

export interface LogEntry {
  id: string
  at: string
  hlc: string
  actor: Actor
  kind: LogKind
  text: string
  originalText: string
  struck: boolean
  pinned: boolean
  /** The runbook step this entry ticks; `parameters`: the values it was done with (an extension). */
  runbook?: { id: string; step?: number; version?: number; stepId?: string; parameters?: Record<string, string> }
  history: Amendment[]
}

export interface Change {
  id: string
  eventId: string
  at: string
  hlc: string
  actor: Actor
  system: string
  what: string
  revert: string
  /** Recorded by someone who did not hold Ops at the time (freelancing). */
  madeOutsideOps: boolean
  opsHolder: Person
  reverted: { at: string; actor: Actor; note?: string } | null
}

/** What the server reported of emailing an update (`update.emailed`): the latest report counts. */
export type EmailReport = PayloadOf<'update.emailed'> & { eventId: string; at: string }

export interface StakeholderUpdate {
  id: string
  at: string
  hlc: string
  actor: Actor
  body: string
  audience?: string
  nextDueMinutes?: number
  /** The directory audience the server emails it to (docs/CONTRACT-EXTENSIONS.md "Directory and email"). */
  audienceId?: string
  /** The server's delivery report, once it has one. */
  email?: EmailReport
}

export interface Task {
  id: string
  at: string
  actor: Actor
  text: string
  kind: TaskKind
  owner?: string
  done: { at: string; actor: Actor } | null
}

export interface StatusChange {
  eventId: string
  at: string
  actor: Actor
  from: Status
  to: Status
  note?: string
}

/** A severity edit: the severity before and after it (the Timeline says "Severity SEV3 → SEV1"). */
export interface SeverityChange {
  from: Severity
  to: Severity
}

export interface IncidentState extends ConflictState {
  id: string
  title: string
  severity: Severity
  summary: string
  location: string
  parentId?: string
  status: Status
  declaredAt: string
  declaredMs: number
  declaredBy: Actor
  /** The incident's declaration: events stamped at or before it are ignored. */
  declaration: Declaration
  updateCadenceMinutes: number
  roles: Record<Role, RoleAssignment>
  statusHistory: StatusChange[]
  /** Each `incident.edited` that set a severity, by event id: the severity it replaced. */
  severityChanges: Map<string, SeverityChange>
  /** Every applied event in fold order: the raw material of the Timeline. */
  events: IncidentEvent[]
  entries: Map<string, LogEntry>
  changes: Map<string, Change>
  updates: StakeholderUpdate[]
  tasks: Map<string, Task>
  lastHlc: string
  lastId: string
  lastActivityAt: string
  /** Events that name a log entry, change or task this incident does not have yet. */
  orphans: Map<string, IncidentEvent[]>
  /** Last-writer-wins values and their writes, for finding conflicts (src/domain/conflicts.ts). */
  registers: Map<string, Register>
  /** Writes replaced by others made at the same time offline, in fold order. */
  conflicts: Conflict[]
  /** Confirmed conflicts: `<keptId>><replacedId>` → the first confirmation. */
  acknowledgements: Map<string, Acknowledgement>
  /**
   * Ids of applied events: duplicates are dropped. Built from `events` on first
   * use: a full fold is already deduplicated by its sort, so only applyEvent pays for it.
   */
  seen: SeenIds
}

/** A set of event ids kept beside the applied events, built on first lookup. */
export class SeenIds implements Iterable<string> {
  private ids: Set<string> | null = null

  constructor(private readonly events: readonly IncidentEvent[]) {}

  private built(): Set<string> {
    if (!this.ids) {
      this.ids = new Set()
      for (const e of this.events) this.ids.add(e.id)
    }
    return this.ids
  }

  get size(): number {
    return this.ids ? this.ids.size : this.events.length
  }

  has(id: string): boolean {
    return this.built().has(id)
  }

  add(id: string): void {
    this.built().add(id)
  }

  [Symbol.iterator](): Iterator<string> {
    return this.built()[Symbol.iterator]()
  }
}

export function compareEvents(a: Pick<IncidentEvent, 'hlc' | 'id'>, b: Pick<IncidentEvent, 'hlc' | 'id'>): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1
  if (a.id !== b.id) return a.id < b.id ? -1 : 1
  return 0
}

/** Sorted by (hlc, id), one copy of each id. */
export function sortEvents(events: readonly IncidentEvent[]): IncidentEvent[] {
  const sorted = [...events].sort(compareEvents)
  const out: IncidentEvent[] = []
  for (const e of sorted) if (out.length === 0 || out[out.length - 1]!.id !== e.id) out.push(e)
  return out
}

/** Who holds a role: its assignee, else the commander. */
export function holderOf(state: IncidentState, role: Role): Person {
  return state.roles[role].person ?? state.roles.command.person!
}

function newState(declared: EventOf<'incident.declared'>): IncidentState {
  const p = declared.payload
  const commander: RoleAssignment = {
    person: { id: declared.actor.id, name: declared.actor.name },
    since: declared.at,
    by: null,
  }
  const roles = Object.fromEntries(
    ROLES.map((r) => [r, r === 'command' ? commander : { person: null, since: declared.at, by: null }]),
  ) as Record<Role, RoleAssignment>
  const events: IncidentEvent[] = []
  const state: IncidentState = {
    id: declared.incidentId,
    title: p.title,
    severity: p.severity as Severity,
    summary: p.summary ?? '',
    location: p.location ?? '',
    parentId: p.parentId,
    status: 'active',
    declaredAt: declared.at,
    declaredMs: hlcMillis(declared.hlc),
    declaredBy: declared.actor,
    declaration: { id: declared.id, hlc: declared.hlc },
    updateCadenceMinutes: p.updateCadenceMinutes ?? DEFAULT_UPDATE_CADENCE_MINUTES,
    roles,
    statusHistory: [],
    severityChanges: new Map(),
    events,
    entries: new Map(),
    changes: new Map(),
    updates: [],
    tasks: new Map(),
    lastHlc: '',
    lastId: '',
    lastActivityAt: declared.at,
    orphans: new Map(),
    registers: new Map(),
    conflicts: [],
    acknowledgements: new Map(),
    seen: new SeenIds(events),
  }
  return state
}

/**
 * Fold one incident's events. Returns null until its `incident.declared` is
 * among them: events of an unknown incident wait for it. Events may carry the
 * server's `seq`; it decides which declaration is the incident's.
 */
export function foldIncident(events: readonly (IncidentEvent & { seq?: number })[]): IncidentState | null {
  // Chosen from every copy before dedup: a copy with a seq counts whatever the arrival order.
  const declared = chooseDeclaration(events)
  if (!declared) return null
  const state = newState(declared)
  // sortEvents kept one copy of each id, so `seen` is not consulted here.
  const id = declared.incidentId
  for (const e of sortEvents(events))
    if (e.incidentId === id && !refusalFor(e, state.declaration)) appendInOrder(state, e)
  return state
}

/**
 * Apply one more event to a folded state, in place. Returns false when the
 * event sorts before the last one applied: the caller must fold again, since
 * last-writer-wins needs the whole order. Duplicates return true and change nothing.
 */
export function applyEvent(state: IncidentState, e: IncidentEvent): boolean {
  if (state.seen.has(e.id)) return true
  if (e.incidentId !== state.id) return true
  const refusal = refusalFor(e, state.declaration)
  // Another declaration may be the incident's (the seq decides): only a full fold can tell.
  if (refusal === ALREADY_DECLARED) return false
  // Stamped at or before the declaration: a full fold ignores it too.
  if (refusal) return true
  if (state.lastHlc && compareEvents(e, { hlc: state.lastHlc, id: state.lastId }) < 0) return false
  applyInOrder(state, e)
  return true
}

function applyInOrder(state: IncidentState, e: IncidentEvent): void {
  const seen = state.seen
  if (seen.has(e.id)) return
  seen.add(e.id)
  appendInOrder(state, e)
}

/** Apply an event known to be new and in order. */
function appendInOrder(state: IncidentState, e: IncidentEvent): void {
  state.events.push(e)
  state.lastHlc = e.hlc
  state.lastId = e.id
  state.lastActivityAt = e.at
  applyPayload(state, e)
}

/** One event's effect on the state. Every type is handled: a new one fails the type check at `assertNever`. */
function applyPayload(state: IncidentState, e: IncidentEvent): void {
  switch (e.type) {
    case 'incident.declared':
      return // the first one made the state; later duplicates under other ids change nothing
    case 'incident.edited': {
      const p = e.payload
      if (p.title !== undefined) state.title = p.title
      if (p.severity !== undefined) {
        state.severityChanges.set(e.id, { from: state.severity, to: p.severity as Severity })
        state.severity = p.severity as Severity
      }
      if (p.summary !== undefined) state.summary = p.summary
      if (p.location !== undefined) state.location = p.location
      if (p.updateCadenceMinutes !== undefined) state.updateCadenceMinutes = p.updateCadenceMinutes
      for (const field of EDITED_FIELDS) {
        const value = p[field]
        if (value !== undefined) writeRegister(state, { kind: 'field', field }, e, value, p.seen?.[field])
      }
      return
    }
    case 'incident.status': {
      const from = state.status
      state.status = e.payload.status
      state.statusHistory.push({
        eventId: e.id,
        at: e.at,
        actor: e.actor,
        from,
        to: e.payload.status,
        note: e.payload.note,
      })
      return
    }
    case 'role.assigned': {
      const { role, person, briefing } = e.payload
      if (role === 'command' && person === null) return // the commander cannot hand command back to itself
      state.roles[role] = { person, since: e.at, by: e.actor, briefing }
      writeRegister(state, { kind: 'role', role }, e, person, e.payload.seen)
      return
    }
    case 'log.entry': {
      const p = e.payload
      state.entries.set(e.id, {
        id: e.id,
        at: e.at,
        hlc: e.hlc,
        actor: e.actor,
        kind: p.kind,
        text: p.text,
        originalText: p.text,
        struck: false,
        pinned: false,
        runbook: p.runbook,
        history: [],
      })
      return replayOrphans(state, e.id)
    }
    case 'log.amended': {
      const entry = state.entries.get(e.payload.entryId)
      if (!entry) return stashOrphan(state, e.payload.entryId, e)
      const p = e.payload
      if (p.text !== undefined) entry.text = p.text
      if (p.struck !== undefined) entry.struck = p.struck
      if (p.pinned !== undefined) entry.pinned = p.pinned
      for (const aspect of ENTRY_ASPECTS) {
        const value = p[aspect]
        if (value !== undefined)
          writeRegister(state, { kind: 'entry', entryId: entry.id, aspect }, e, value, p.seen?.[aspect])
      }
      entry.history.push({
        eventId: e.id,
        at: e.at,
        actor: e.actor,
        text: p.text,
        struck: p.struck,
        pinned: p.pinned,
        reason: p.reason,
      })
      return
    }
    case 'change.made': {
      const p = e.payload
      if (state.changes.has(p.changeId)) return
      const opsHolder = holderOf(state, 'ops')
      state.changes.set(p.changeId, {
        id: p.changeId,
        eventId: e.id,
        at: e.at,
        hlc: e.hlc,
        actor: e.actor,
        system: p.system,
        what: p.what,
        revert: p.revert,
        madeOutsideOps: !samePerson(e.actor, opsHolder),
        opsHolder,
        reverted: null,
      })
      return replayOrphans(state, p.changeId)
    }
    case 'change.reverted': {
      const change = state.changes.get(e.payload.changeId)
      if (!change) return stashOrphan(state, e.payload.changeId, e)
      change.reverted = { at: e.at, actor: e.actor, note: e.payload.note }
      return
    }
    case 'update.posted': {
      const p = e.payload
      state.updates.push({
        id: e.id,
        at: e.at,
        hlc: e.hlc,
        actor: e.actor,
        body: p.body,
        audience: p.audience,
        nextDueMinutes: p.nextDueMinutes,
        audienceId: p.audienceId,
      })
      return
    }
    case 'update.emailed': {
      // Written by the server after the update it reports on, so it sorts after it.
      const update = state.updates.find((u) => u.id === e.payload.updateId)
      if (update) update.email = { ...e.payload, eventId: e.id, at: e.at }
      return
    }
    case 'audience.saved':
    case 'contact.saved':
      return // directory events: the schema keeps them out of every incident (src/domain/directory.ts folds them)
    case 'task.added': {
      const p = e.payload
      if (state.tasks.has(p.taskId)) return
      state.tasks.set(p.taskId, {
        id: p.taskId,
        at: e.at,
        actor: e.actor,
        text: p.text,
        kind: p.kind,
        owner: p.owner,
        done: null,
      })
      return replayOrphans(state, p.taskId)
    }
    case 'task.done':
    case 'task.reopened': {
      const task = state.tasks.get(e.payload.taskId)
      if (!task) return stashOrphan(state, e.payload.taskId, e)
      task.done = e.type === 'task.done' ? { at: e.at, actor: e.actor } : null
      writeRegister(state, { kind: 'task', taskId: task.id }, e, e.type === 'task.done', e.payload.seen)
      return
    }
    case 'conflict.acknowledged':
      return acknowledge(state, e)
    case 'task.edited': {
      const task = state.tasks.get(e.payload.taskId)
      if (!task) return stashOrphan(state, e.payload.taskId, e)
      const p = e.payload
      if (p.text !== undefined) task.text = p.text
      if (p.kind !== undefined) task.kind = p.kind
      if (p.owner !== undefined) task.owner = p.owner.trim() || undefined
      return
    }
    default:
      return assertNever(e, 'event type')
  }
}

function stashOrphan(state: IncidentState, targetId: string, e: IncidentEvent): void {
  const list = state.orphans.get(targetId)
  if (list) list.push(e)
  else state.orphans.set(targetId, [e])
}

function replayOrphans(state: IncidentState, targetId: string): void {
  const waiting = state.orphans.get(targetId)
  if (!waiting) return
  state.orphans.delete(targetId)
  for (const e of waiting) applyPayload(state, e)
}

export interface IncidentSummary {
  id: string
  title: string
  severity: Severity
  status: Status
}

/** Fold every incident in a mixed stream, and link sub-incidents to their parents. */
export function foldIncidents(events: readonly IncidentEvent[]): Map<string, IncidentState> {
  const byIncident = new Map<string, IncidentEvent[]>()
  for (const e of events) {
    const list = byIncident.get(e.incidentId)
    if (list) list.push(e)
    else byIncident.set(e.incidentId, [e])
  }
  const states = new Map<string, IncidentState>()
  for (const [id, list] of byIncident) {
    const state = foldIncident(list)
    if (state) states.set(id, state)
  }
  return states
}

/** Sub-incidents of a parent, from all folded incidents. */
export function childrenOf(
  parentId: string,
  all: Iterable<IncidentSummary & Pick<IncidentState, 'parentId'>>,
): IncidentSummary[] {
  const out: IncidentSummary[] = []
  for (const s of all)
    if (s.parentId === parentId) out.push({ id: s.id, title: s.title, severity: s.severity, status: s.status })
  return out.sort((a, b) => a.severity - b.severity || a.title.localeCompare(b.title))
}

/** What stands in the way of resolving: open changes, and sub-incidents still active. */
export function resolveBlockers(
  state: IncidentState,
  children: readonly IncidentSummary[],
): { openChanges: Change[]; activeChildren: IncidentSummary[] } {
  return {
    openChanges: [...state.changes.values()].filter((c) => !c.reverted),
    activeChildren: children.filter((c) => c.status !== 'resolved'),
  }
}
