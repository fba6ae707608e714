import type { Role } from '../../domain/events'

/** Where an assign or handoff form keeps its draft: per incident, role and mode (fields `:person`, `:briefing`). */
export function assignDraftKey(incidentId: string, role: Role, mode: 'assign' | 'handoff'): string {
  return `assign:${incidentId}:${role}:${mode}`
}
