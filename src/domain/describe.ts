/**
 * One line of plain text for each event, as the Timeline and the exports
 * show it. Pure, so the Markdown export and the screen say the same thing.
 */
import type { IncidentEvent, Role } from './events'

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
    default:
      return 'incident'
  }
}

export function describeEvent(e: IncidentEvent): string {
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
      return e.payload.person ? `${label} → ${e.payload.person.name}` : `${label} handed back to the commander`
    }
    case 'log.entry':
      return e.payload.text
    case 'log.amended':
      return 'Amended a log entry'
    case 'change.made':
      return `Change on ${e.payload.system}: ${e.payload.what} (revert: ${e.payload.revert})`
    case 'change.reverted':
      return `Reverted a change${e.payload.note ? `: ${e.payload.note}` : ''}`
    case 'update.posted':
      return `Update${e.payload.audience ? ` to ${e.payload.audience}` : ''}: ${e.payload.body}`
    case 'task.added':
      return `Task (${e.payload.kind}): ${e.payload.text}${e.payload.owner ? ` — ${e.payload.owner}` : ''}`
    case 'task.done':
      return 'Task done'
    case 'task.reopened':
      return 'Task reopened'
  }
}
