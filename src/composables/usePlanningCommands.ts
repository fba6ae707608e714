import { payloadErrors, type IncidentEvent, type TaskKind } from '../domain/events'
import { newId } from '../domain/ids'
import { invalidFields, type CommandResult } from '../domain/command-result'
import { useIncidentsStore } from '../stores/incidents'

/** The task form as typed; an empty owner means nobody yet. */
export interface TaskForm {
  text: string
  kind: TaskKind
  owner?: string
}

export interface PlanningCommands {
  /**
   * Add a task (`task.added`) with a new task id; text and owner trimmed, an
   * empty owner left out. Field errors keyed `text`, `owner` (nothing stored).
   */
  addTask: (incidentId: string, form: TaskForm) => Promise<CommandResult<IncidentEvent>>
  /** Tick a task done (`task.done`); the last of done/reopened by clock wins on every phone. */
  markTaskDone: (incidentId: string, taskId: string) => Promise<CommandResult<IncidentEvent>>
  /** Un-tick a done task (`task.reopened`). */
  reopenTask: (incidentId: string, taskId: string) => Promise<CommandResult<IncidentEvent>>
  /**
   * Correct a task's text, kind or owner (`task.edited`); text and owner
   * trimmed, an empty owner meaning nobody. Only fields that differ from the
   * task as this phone knows it are sent (last writer by clock wins per field).
   * Resolves with null when nothing changed; field errors keyed `text`, `kind`,
   * `owner` (nothing stored); `reason` when the task is not on this phone.
   */
  editTask: (incidentId: string, taskId: string, form: TaskForm) => Promise<CommandResult<IncidentEvent | null>>
}

/** Commands of the planning feature: tasks and follow-ups. All work offline. */
export function usePlanningCommands(): PlanningCommands {
  const store = useIncidentsStore()

  async function addTask(incidentId: string, form: TaskForm): Promise<CommandResult<IncidentEvent>> {
    const payload = { taskId: newId(), text: form.text.trim(), kind: form.kind, owner: form.owner?.trim() || undefined }
    const fields = payloadErrors('task.added', payload)
    if (!payload.text) fields.text = 'Say what needs doing, e.g. “Need one more person at the high school”.'
    return invalidFields(fields) ?? store.record(incidentId, 'task.added', payload)
  }

  function markTaskDone(incidentId: string, taskId: string): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'task.done', { taskId })
  }

  function reopenTask(incidentId: string, taskId: string): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'task.reopened', { taskId })
  }

  async function editTask(
    incidentId: string,
    taskId: string,
    form: TaskForm,
  ): Promise<CommandResult<IncidentEvent | null>> {
    const task = store.incident(incidentId)?.tasks.get(taskId)
    if (!task) return { ok: false, reason: 'This task is not on this phone.' }
    const typed = { taskId, text: form.text.trim(), kind: form.kind, owner: form.owner?.trim() ?? '' }
    const fields = payloadErrors('task.edited', typed)
    if (!typed.text) fields.text = 'Say what needs doing, e.g. “Need one more person at the high school”.'
    const invalid = invalidFields(fields)
    if (invalid) return invalid
    const payload = {
      taskId,
      text: typed.text !== task.text ? typed.text : undefined,
      kind: typed.kind !== task.kind ? typed.kind : undefined,
      owner: typed.owner !== (task.owner ?? '') ? typed.owner : undefined,
    }
    if (payload.text === undefined && payload.kind === undefined && payload.owner === undefined)
      return { ok: true, value: null }
    return store.record(incidentId, 'task.edited', payload)
  }

  return { addTask, markTaskDone, reopenTask, editTask }
}
