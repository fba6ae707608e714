import { keepDecisionText } from '../domain/changes'
import { payloadErrors, type IncidentEvent } from '../domain/events'
import type { Change } from '../domain/fold'
import { newId } from '../domain/ids'
import { invalidFields, type CommandResult, type FieldErrors } from '../domain/command-result'
import { useIncidentsStore } from '../stores/incidents'

/** The change form as typed. */
export interface ChangeForm {
  system: string
  what: string
  revert: string
}

function changePayload(form: ChangeForm) {
  return { changeId: newId(), system: form.system.trim(), what: form.what.trim(), revert: form.revert.trim() }
}

function errorsOf(payload: ReturnType<typeof changePayload>): FieldErrors {
  const fields = payloadErrors('change.made', payload)
  if (!payload.revert) fields.revert = 'Say how to undo it: whoever reverts it may not be you.'
  return fields
}

/**
 * What is wrong with a change form, field by field (`system`, `what`,
 * `revert`); empty when it can be recorded. For the form's confirmation step
 * ("you are not Ops"), which comes after the fields are right.
 */
export function changeFormErrors(form: ChangeForm): FieldErrors {
  return errorsOf(changePayload(form))
}

export interface ChangeCommands {
  /**
   * Record a change to a system (`change.made`), with a new change id; text
   * trimmed. Field errors keyed `system`, `what`, `revert` (nothing stored).
   * Anyone may record one: the fold marks it made outside Ops when it was.
   */
  recordChange: (incidentId: string, form: ChangeForm) => Promise<CommandResult<IncidentEvent>>
  /** Mark a change reverted (`change.reverted`), with an optional note, trimmed. */
  revertChange: (incidentId: string, changeId: string, note?: string) => Promise<CommandResult<IncidentEvent>>
  /**
   * Keep a change on purpose at resolve time: a decision entry (`log.entry`,
   * kind decision, `keptChangeId`) saying what stays, why, and how to revert it later.
   */
  keepChange: (incidentId: string, change: Change, note?: string) => Promise<CommandResult<IncidentEvent>>
}

/** Commands of the changes feature: record, revert, keep on purpose. All work offline. */
export function useChangeCommands(): ChangeCommands {
  const store = useIncidentsStore()

  async function recordChange(incidentId: string, form: ChangeForm): Promise<CommandResult<IncidentEvent>> {
    const payload = changePayload(form)
    return invalidFields(errorsOf(payload)) ?? store.record(incidentId, 'change.made', payload)
  }

  function revertChange(incidentId: string, changeId: string, note = ''): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'change.reverted', { changeId, note: note.trim() || undefined })
  }

  function keepChange(incidentId: string, change: Change, note = ''): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'log.entry', {
      text: keepDecisionText(change, note),
      kind: 'decision',
      keptChangeId: change.id,
    })
  }

  return { recordChange, revertChange, keepChange }
}
