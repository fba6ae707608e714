import type { Ref } from 'vue'
import type { TaskKind } from '../../domain/events'
import type { TaskForm } from '../../composables/usePlanningCommands'

/** The draft key of a task's edit form (PlanningTaskItem reopens the form when one of its fields holds a draft). */
export function taskEditDraftKey(incidentId: string, taskId: string): string {
  return `task-edit:${incidentId}:${taskId}`
}

/** The fields of the task edit form, each stored as a draft under `<key>:<field>`. */
export const TASK_EDIT_FIELDS = ['text', 'kind', 'owner'] as const

/** A task form's draft (`useDraftForm(…).fields`), as the add and edit forms keep it: every field as text. */
export type TaskDraft = Record<(typeof TASK_EDIT_FIELDS)[number], Ref<string>>

/** The typed task in a draft, for addTask / editTask. The kind is one of TASK_KINDS: only the kind select writes it. */
export function taskFormOf(draft: TaskDraft): TaskForm {
  return { text: draft.text.value, kind: draft.kind.value as TaskKind, owner: draft.owner.value }
}
