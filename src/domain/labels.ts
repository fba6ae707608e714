/**
 * The words for roles, severities and kinds, apart from describe.ts: the first
 * screen names roles (RolesMine), and importing describe.ts for that would put
 * every event's wording in the first screen's chunk (a module is never split
 * between chunks, so all of it that any screen uses would land there).
 */
import type { LogKind, Role, TaskKind } from './events'

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

/** A severity in short, as the badge shows it: `SEV1`. */
export function severityShort(severity: number): string {
  return `SEV${severity}`
}

/** Each log kind in words: one label per kind everywhere (composer, Timeline, document, exports). */
export const LOG_KIND_LABELS: Record<LogKind, string> = {
  action: 'Action',
  observation: 'Seen',
  decision: 'Decision',
  note: 'Note',
}

/** Each task kind in words, never the stored name (`followup`). */
export const TASK_KIND_LABELS: Record<TaskKind, string> = {
  followup: 'Follow-up',
  bug: 'Bug',
  handoff: 'Handoff',
  staffing: 'Staffing',
  other: 'Other',
}
