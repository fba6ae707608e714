import { LIMITS, type IncidentEvent, type Role } from '../domain/events'
import type { Conflict } from '../domain/conflicts'
import { personFromName } from '../domain/people'
import { invalidFields, type CommandResult } from '../domain/command-result'
import { useIncidentsStore } from '../stores/incidents'
import { usePeople } from './usePeople'

export interface RoleCommands {
  /**
   * Give a role to a person (`role.assigned`), by the name typed or picked: a
   * name seen before (any case) means that person, with their device id. An
   * optional handoff briefing is trimmed. Field errors keyed `person` when the
   * name is empty or longer than `LIMITS.personName` (nothing stored).
   */
  assignRole: (
    incidentId: string,
    role: Role,
    form: { name: string; briefing?: string },
  ) => Promise<CommandResult<IncidentEvent>>
  /** Hand a role back to the commander (`role.assigned` with no person). */
  handBackRole: (incidentId: string, role: Role) => Promise<CommandResult<IncidentEvent>>
  /**
   * Confirm a conflict (`conflict.acknowledged` naming its two writes): the
   * write that counts stays, and the roles panel stops showing it on every phone.
   */
  acknowledgeConflict: (
    incidentId: string,
    conflict: Pick<Conflict, 'kept' | 'replaced'>,
  ) => Promise<CommandResult<IncidentEvent>>
}

/** Commands of the roles feature: assign, hand off, hand back, confirm a conflict. All work offline. */
export function useRoleCommands(): RoleCommands {
  const store = useIncidentsStore()
  const people = usePeople()

  async function assignRole(
    incidentId: string,
    role: Role,
    form: { name: string; briefing?: string },
  ): Promise<CommandResult<IncidentEvent>> {
    const name = form.name.trim()
    const invalid = invalidFields(
      !name
        ? { person: 'Type or pick who takes the role.' }
        : name.length > LIMITS.personName
          ? { person: `A name can be at most ${LIMITS.personName} characters.` }
          : {},
    )
    if (invalid) return invalid
    return store.record(incidentId, 'role.assigned', {
      role,
      person: personFromName(name, people.value),
      briefing: form.briefing?.trim() || undefined,
    })
  }

  function handBackRole(incidentId: string, role: Role): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'role.assigned', { role, person: null })
  }

  function acknowledgeConflict(
    incidentId: string,
    conflict: Pick<Conflict, 'kept' | 'replaced'>,
  ): Promise<CommandResult<IncidentEvent>> {
    return store.record(incidentId, 'conflict.acknowledged', {
      keptId: conflict.kept.eventId,
      replacedId: conflict.replaced.eventId,
    })
  }

  return { assignRole, handBackRole, acknowledgeConflict }
}
