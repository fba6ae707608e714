/**
 * One line of plain text for each event, as the Timeline and the exports
 * show it. Pure, so the Markdown export and the screen say the same thing.
 */
import { assertNever } from './assert'
import type { IncidentEvent, Role } from './events'
import type { IncidentState } from './fold'
import type { Conflict, EditedField, RegisterValue, Write } from './conflicts'

export const ROLE_LABELS: Record<Role, string> = {
  command: 'Incident commander',
  ops: 'Ops',
  comms: 'Comms',
  planning: 'Planning',
}

export const SEVERITY_LABELS: Record<number, string> = {
  1: 'SEV1 · critical',
  2: 'SEV2 · major',
  3: 'SEV3 · minor',
  4: 'SEV4 · low',
}

/** The filter a timeline item falls under. */
export type TimelineCategory =
  'action' | 'observation' | 'decision' | 'note' | 'change' | 'update' | 'role' | 'status' | 'task' | 'incident'

/** The filter a timeline item falls under; every type is named, a new one fails the type check here. */
export function categoryOf(e: IncidentEvent): TimelineCategory {
  switch (e.type) {
    case 'log.entry':
      return e.payload.kind
    case 'change.made':
    case 'change.reverted':
      return 'change'
    case 'update.posted':
      return 'update'
    case 'role.assigned':
      return 'role'
    case 'incident.status':
      return 'status'
    case 'task.added':
    case 'task.done':
    case 'task.reopened':
      return 'task'
    case 'incident.declared':
    case 'incident.edited':
    case 'log.amended':
    case 'conflict.acknowledged':
      return 'incident'
    default:
      return assertNever(e, 'event type')
  }
}

/**
 * One line per event, naming the change or task an event refers to and showing
 * a log entry as amended so far. Reads `state` only for those; every type is
 * named, a new one fails the type check here.
 */
export function describeEvent(e: IncidentEvent, state: IncidentState): string {
  switch (e.type) {
    case 'incident.declared':
      return `Declared “${e.payload.title}” (${SEVERITY_LABELS[e.payload.severity]})`
    case 'incident.edited': {
      const p = e.payload
      const parts: string[] = []
      if (p.title !== undefined) parts.push(`title “${p.title}”`)
      if (p.severity !== undefined) parts.push(SEVERITY_LABELS[p.severity] ?? `severity ${p.severity}`)
      if (p.summary !== undefined) parts.push('summary')
      if (p.location !== undefined) parts.push(`location “${p.location}”`)
      if (p.updateCadenceMinutes !== undefined) parts.push(`updates every ${p.updateCadenceMinutes} min`)
      return `Edited ${parts.join(', ')}`
    }
    case 'incident.status':
      return `Status → ${e.payload.status}${e.payload.note ? `: ${e.payload.note}` : ''}`
    case 'role.assigned': {
      const label = ROLE_LABELS[e.payload.role]
      const base = e.payload.person ? `${label} → ${e.payload.person.name}` : `${label} handed back to the commander`
      return e.payload.briefing ? `${base} (with a handoff briefing)` : base
    }
    case 'log.entry':
      return state.entries.get(e.id)?.text ?? e.payload.text
    case 'log.amended':
      return 'Amended a log entry'
    case 'change.made':
      return `Change on ${e.payload.system}: ${e.payload.what} (revert: ${e.payload.revert})`
    case 'change.reverted': {
      const change = state.changes.get(e.payload.changeId)
      const what = change ? ` on ${change.system}: ${change.what}` : ''
      return `Reverted change${what}${e.payload.note ? ` — ${e.payload.note}` : ''}`
    }
    case 'update.posted':
      return `Update${e.payload.audience ? ` to ${e.payload.audience}` : ''}: ${e.payload.body}`
    case 'task.added':
      return `Task (${e.payload.kind}): ${e.payload.text}${e.payload.owner ? ` — ${e.payload.owner}` : ''}`
    case 'task.done':
    case 'task.reopened': {
      const task = state.tasks.get(e.payload.taskId)
      const verb = e.type === 'task.done' ? 'Task done' : 'Task reopened'
      return task ? `${verb}: ${task.text}` : verb
    }
    case 'conflict.acknowledged': {
      const { keptId, replacedId } = e.payload
      const conflict = state.conflicts.find((c) => c.kept.eventId === keptId && c.replaced.eventId === replacedId)
      return conflict
        ? `Confirmed: ${describeConflict(conflict, state)}`
        : 'Confirmed a write made at the same time offline'
    }
    default:
      return assertNever(e, 'event type')
  }
}

const FIELD_LABELS: Record<EditedField, string> = {
  title: 'Title',
  severity: 'Severity',
  summary: 'Summary',
  location: 'Location',
  updateCadenceMinutes: 'Update cadence',
}

/** Long texts are cut in a conflict's line: it names the write, the Timeline shows the rest. */
function short(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

/** How a conflict's write shows: `(Sam)`, `(“New title”)`, `(done)`; empty where the value is too long to quote. */
function valueOf(c: Conflict, w: Write): string {
  const v: RegisterValue = w.value
  const plain = v && typeof v === 'object' ? v.name : String(v)
  switch (c.subject.kind) {
    case 'role':
      return v && typeof v === 'object' ? ` (${v.name})` : ' (back to the commander)'
    case 'field':
      if (c.subject.field === 'summary') return ''
      if (c.subject.field === 'severity') return ` (${SEVERITY_LABELS[Number(v)] ?? `severity ${plain}`})`
      if (c.subject.field === 'updateCadenceMinutes') return ` (every ${plain} min)`
      return ` (“${short(plain)}”)`
    case 'task':
      return v ? ' (done)' : ' (not done)'
    case 'entry':
      if (c.subject.aspect === 'text') return ` (“${short(plain)}”)`
      if (c.subject.aspect === 'struck') return v ? ' (struck)' : ' (restored)'
      return v ? ' (pinned)' : ' (unpinned)'
  }
}

/**
 * One line for a conflict, as the Timeline marks the write that counts and the
 * roles panel lists it: `Ops: Lee's assignment (Kim) replaced Dana's (Sam),
 * made at the same time offline`. Reads `state` for a task's or entry's text.
 */
export function describeConflict(c: Conflict, state: IncidentState): string {
  const s = c.subject
  let what: string
  let noun: string
  switch (s.kind) {
    case 'role':
      what = ROLE_LABELS[s.role]
      noun = 'assignment'
      break
    case 'field':
      what = FIELD_LABELS[s.field]
      noun = 'edit'
      break
    case 'task': {
      const task = state.tasks.get(s.taskId)
      what = task ? `Task “${short(task.text)}”` : 'A task'
      noun = 'change'
      break
    }
    case 'entry': {
      const entry = state.entries.get(s.entryId)
      what = entry ? `Log entry “${short(entry.originalText)}”` : 'A log entry'
      noun = s.aspect === 'text' ? 'correction' : 'change'
      break
    }
  }
  return (
    `${what}: ${c.kept.actor.name}'s ${noun}${valueOf(c, c.kept)} replaced ` +
    `${c.replaced.actor.name}'s${valueOf(c, c.replaced)}, made at the same time offline`
  )
}
