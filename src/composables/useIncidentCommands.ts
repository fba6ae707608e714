import type { IncidentEvent, Status } from '../domain/events'
import { hasVisibleText, payloadErrors } from '../domain/events'
import { invalidFields, type CommandResult } from '../domain/command-result'
import { useIncidentsStore } from '../stores/incidents'

/** The declare form as typed: strings, and '' for a severity not chosen yet. */
export interface DeclareForm {
  title: string
  /** 1 (worst) to 4; '' when none was chosen. */
  severity: number | ''
  summary?: string
  location?: string
  /** The incident this one is part of (a sub-incident). */
  parentId?: string
}

/** The edit form as typed: the incident's title, severity (1–4), summary and location. */
export interface IncidentEditForm {
  title: string
  severity: number
  summary: string
  location: string
}

export interface IncidentCommands {
  /**
   * Declare an incident (`incident.declared`) with this phone's responder as
   * commander. Text is trimmed; empty optional fields are left out. Resolves
   * with the new incident's id once stored, or field errors keyed `title`,
   * `severity`, `summary`, `location` (nothing stored).
   */
  declareIncident: (form: DeclareForm) => Promise<CommandResult<string>>
  /**
   * Move an incident to active or mitigated (`incident.status`). Resolving goes
   * through `resolve`, after the open changes have been decided.
   */
  setStatus: (incidentId: string, status: Exclude<Status, 'resolved'>) => Promise<CommandResult<IncidentEvent>>
  /** Resolve an incident (`incident.status` resolved) with an optional note, trimmed. */
  resolve: (incidentId: string, note?: string) => Promise<CommandResult<IncidentEvent>>
  /**
   * Correct or escalate an incident (`incident.edited`): text is trimmed and
   * only the fields that differ from the incident as this phone knows it are
   * sent, so an edit never overwrites another person's change to a field this
   * person did not touch (last writer by clock wins per field). Resolves with
   * null when nothing changed (nothing stored); field errors keyed `title`,
   * `severity`, `summary`, `location` (nothing stored); `reason` when the
   * incident is not on this phone.
   */
  editIncident: (incidentId: string, form: IncidentEditForm) => Promise<CommandResult<IncidentEvent | null>>
}

/** Commands of the incident as a whole: declare it, move its status, resolve it. All work offline. */
export function useIncidentCommands(): IncidentCommands {
  const store = useIncidentsStore()

  async function declareIncident(form: DeclareForm): Promise<CommandResult<string>> {
    const payload = {
      title: form.title.trim(),
      severity: form.severity === '' ? Number.NaN : Number(form.severity),
      summary: form.summary?.trim() || undefined,
      location: form.location?.trim() || undefined,
      parentId: form.parentId,
    }
    const fields = payloadErrors('incident.declared', payload)
    if (!hasVisibleText(payload.title)) fields.title = 'Give the incident a title: what is broken, where.'
    if (form.severity === '') fields.severity = 'Choose a severity from 1 (worst) to 4.'
    return invalidFields(fields) ?? store.declare(payload)
  }

  function setStatus(incidentId: string, status: Exclude<Status, 'resolved'>): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'incident.status', { status })
  }

  function resolve(incidentId: string, note = ''): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'incident.status', { status: 'resolved', note: note.trim() || undefined })
  }

  async function editIncident(
    incidentId: string,
    form: IncidentEditForm,
  ): Promise<CommandResult<IncidentEvent | null>> {
    const current = store.incident(incidentId)
    if (!current) return { ok: false, reason: 'This incident is not on this phone.' }
    const typed = {
      title: form.title.trim(),
      severity: Number(form.severity),
      summary: form.summary.trim(),
      location: form.location.trim(),
    }
    const fields = payloadErrors('incident.edited', typed)
    if (!hasVisibleText(typed.title)) fields.title = 'Give the incident a title: what is broken, where.'
    const invalid = invalidFields(fields)
    if (invalid) return invalid
    const payload = {
      title: typed.title !== current.title ? typed.title : undefined,
      severity: typed.severity !== current.severity ? typed.severity : undefined,
      summary: typed.summary !== current.summary ? typed.summary : undefined,
      location: typed.location !== current.location ? typed.location : undefined,
    }
    if (Object.values(payload).every((v) => v === undefined)) return { ok: true, value: null }
    return store.record(incidentId, 'incident.edited', payload)
  }

  return { declareIncident, setStatus, resolve, editIncident }
}
