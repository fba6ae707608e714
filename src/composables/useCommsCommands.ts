import { payloadErrors, type IncidentEvent } from '../domain/events'
import { invalidFields, type CommandResult } from '../domain/command-result'
import { useIncidentsStore } from '../stores/incidents'

/** The update form as typed. */
export interface UpdateForm {
  body: string
  /** Who it is for, e.g. "Principals"; empty for nobody in particular. */
  audience?: string
  /** Minutes until the next update is due (1–1440). */
  nextDueMinutes: number
  /** The directory audience the server emails it to (its name goes in `audience`); none: not emailed. */
  audienceId?: string
}

export interface CommsCommands {
  /**
   * Post a stakeholder update (`update.posted`); body and audience trimmed, an
   * empty audience left out. With `audienceId`, the server emails it to that
   * directory audience once the update reaches it (at once online, later offline). Field errors keyed `body`, `audience`,
   * `nextDueMinutes` (nothing stored).
   */
  postUpdate: (incidentId: string, form: UpdateForm) => Promise<CommandResult<IncidentEvent>>
  /**
   * Set the minutes between updates (`incident.edited` with
   * `updateCadenceMinutes`). Field error keyed `updateCadenceMinutes` unless a
   * whole number from 1 to 1440.
   */
  setUpdateCadence: (incidentId: string, minutes: number) => Promise<CommandResult<IncidentEvent>>
}

/** Commands of the comms feature: updates and their cadence. All work offline. */
export function useCommsCommands(): CommsCommands {
  const store = useIncidentsStore()

  async function postUpdate(incidentId: string, form: UpdateForm): Promise<CommandResult<IncidentEvent>> {
    const payload = {
      body: form.body.trim(),
      audience: form.audience?.trim() || undefined,
      nextDueMinutes: Number(form.nextDueMinutes),
      audienceId: form.audienceId || undefined,
    }
    const fields = payloadErrors('update.posted', payload)
    if (!payload.body) fields.body = 'Write the update first.'
    return invalidFields(fields) ?? store.record(incidentId, 'update.posted', payload)
  }

  async function setUpdateCadence(incidentId: string, minutes: number): Promise<CommandResult<IncidentEvent>> {
    const value = Number(minutes)
    if (!Number.isInteger(value) || value < 1 || value > 1440)
      return invalidFields({ updateCadenceMinutes: 'Choose 1 to 1440 minutes.' })!
    return store.record(incidentId, 'incident.edited', { updateCadenceMinutes: value })
  }

  return { postUpdate, setUpdateCadence }
}
