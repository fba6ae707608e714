/** The incident's sections, in the order of the sub-navigation (Log is the default). */
export const INCIDENT_TABS = [
  { id: 'log', label: 'Log' },
  { id: 'roles', label: 'Roles' },
  { id: 'changes', label: 'Changes' },
  { id: 'updates', label: 'Updates' },
  { id: 'tasks', label: 'Tasks' },
  { id: 'document', label: 'Document' },
] as const

export type IncidentTab = (typeof INCIDENT_TABS)[number]['id']

export function tabPath(incidentId: string, tab: IncidentTab): string {
  return tab === 'log' ? `/incidents/${incidentId}` : `/incidents/${incidentId}/${tab}`
}
