/** The draft key of a task's edit form (PlanningTaskItem reopens the form when one of its fields holds a draft). */
export function taskEditDraftKey(incidentId: string, taskId: string): string {
  return `task-edit:${incidentId}:${taskId}`
}

/** The fields of the task edit form, each stored as a draft under `<key>:<field>`. */
export const TASK_EDIT_FIELDS = ['text', 'kind', 'owner'] as const
