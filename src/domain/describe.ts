/**
 * One line of plain text for each event, as the Timeline and the exports
 * show it. Pure, so the Markdown export and the screen say the same thing.
 */
import { assertNever } from './assert'
import type { IncidentEvent, PayloadOf } from './events'
import type { IncidentState } from './fold'
import type { Conflict, EditedField, RegisterValue, Write } from './conflicts'
import { LOG_KIND_LABELS, ROLE_LABELS, SEVERITY_LABELS, TASK_KIND_LABELS, severityShort } from './labels'

export { LOG_KIND_LABELS, ROLE_LABELS, SEVERITY_LABELS, TASK_KIND_LABELS, severityShort } from './labels'

/** The filter a timeline item falls under. */
export type TimelineCategory =
  'action' | 'observation' | 'decision' | 'note' | 'change' | 'update' | 'role' | 'status' | 'task' | 'incident'

/** Each category's label on a Timeline row (singular; the filter's plural labels are in timeline.ts). */
export const CATEGORY_LABELS: Record<TimelineCategory, string> = {
  ...LOG_KIND_LABELS,
  change: 'Change',
  update: 'Update',
  role: 'Role',
  status: 'Status',
  task: 'Task',
  incident: 'Incident',
}

/** The filter a timeline item falls under; every type is named, a new one fails the type check here. */
export function categoryOf(e: IncidentEvent): TimelineCategory {
  switch (e.type) {
    case 'log.entry':
      return e.payload.kind
    case 'change.made':
    case 'change.reverted':
      return 'change'
    case 'update.posted':
    case 'update.emailed':
      return 'update'
    case 'role.assigned':
      return 'role'
    case 'incident.status':
      return 'status'
    case 'task.added':
    case 'task.done':
    case 'task.reopened':
    case 'task.edited':
      return 'task'
    case 'incident.declared':
    case 'incident.edited':
    case 'log.amended':
    case 'conflict.acknowledged':
    case 'audience.saved':
    case 'contact.saved':
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
      if (p.summary !== undefined) parts.push(p.summary ? 'summary' : 'summary cleared')
      if (p.location !== undefined) parts.push(p.location ? `location “${p.location}”` : 'location cleared')
      if (p.updateCadenceMinutes !== undefined) parts.push(`updates every ${p.updateCadenceMinutes} min`)
      const edited = parts.length ? `Edited ${parts.join(', ')}` : ''
      if (p.severity === undefined) return edited
      // The severity it replaced is in the fold: an escalation reads as one.
      const change = state.severityChanges.get(e.id)
      const from = change ? `${severityShort(change.from)} → ` : '→ '
      const severity = `Severity ${from}${severityShort(p.severity)} by ${e.actor.name}`
      return edited ? `${severity}; ${edited.charAt(0).toLowerCase()}${edited.slice(1)}` : severity
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
    case 'update.emailed':
      return describeEmailReport(e.payload)
    case 'audience.saved':
      return `Audience saved${e.payload.name ? `: ${e.payload.name}` : ''}`
    case 'contact.saved':
      return `Contact saved${e.payload.name ? `: ${e.payload.name}` : ''}`
    case 'task.added':
      return `Task (${TASK_KIND_LABELS[e.payload.kind]}): ${e.payload.text}${e.payload.owner ? ` — ${e.payload.owner}` : ''}`
    case 'task.edited': {
      const p = e.payload
      const task = state.tasks.get(p.taskId)
      const parts: string[] = []
      if (p.text !== undefined) parts.push(`text “${p.text}”`)
      if (p.kind !== undefined) parts.push(`kind ${TASK_KIND_LABELS[p.kind]}`)
      if (p.owner !== undefined) parts.push(p.owner.trim() ? `owner ${p.owner.trim()}` : 'no owner')
      return `Task edited${task && p.text === undefined ? ` (${task.text})` : ''}: ${parts.join(', ')}`
    }
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

/**
 * A delivery report in one line, as the Timeline and the update's card show it:
 * `Sent to 14 of 14 in Principals`, then the failures with the SMTP answer
 * (`failed: a@b.org (550 5.1.1 No such user)`) and the addresses whose delivery
 * is unknown; or why nothing was sent.
 */
export function describeEmailReport(p: PayloadOf<'update.emailed'>): string {
  const audience = p.audience || 'the audience'
  switch (p.outcome) {
    case 'not_set_up':
      return `Not emailed to ${audience}: email is not set up on the server`
    case 'no_audience':
      return `Not emailed: ${audience} has no addresses on the server`
    case 'sent': {
      const parts = [`Sent to ${p.sent} of ${p.total} in ${audience}`]
      const failedCount = p.failed.length + (p.moreFailed ?? 0)
      if (failedCount) {
        const listed = p.failed.map((f) => `${f.email} (${f.answer})`).join('; ')
        const more = p.moreFailed ? ` and ${p.moreFailed} more` : ''
        parts.push(`${failedCount} failed: ${listed}${more}`)
      }
      if (p.unknown.length)
        parts.push(`delivery unknown for ${p.unknown.join(', ')} (the server stopped while sending; not sent again)`)
      return parts.join('; ')
    }
    default:
      return assertNever(p.outcome, 'email outcome')
  }
}
