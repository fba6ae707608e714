/**
 * Roles as the Incident Command System hands them out: who holds each one,
 * which ones a responder holds, and the short duty card for each.
 */
import { ROLES } from './vocabulary'
import type { Actor, Person, Role } from './events'
import { holderOf } from './fold'
import type { IncidentState } from './fold'
import { samePerson, type PersonRef } from './people'

/** One line a responder can act on, per role. */
export const ROLE_DUTIES: Record<Role, string> = {
  command:
    'Hold every role you have not handed out. Keep the big picture: set priorities, assign roles, decide. Hands off the keyboard.',
  ops: 'The only one who changes systems. Record every change with how to revert it, and revert before the incident is closed.',
  comms: 'Update stakeholders on the cadence, before they ask. Keep the incident document true.',
  planning:
    'Track follow-ups, bugs, handoffs and staffing. Notice where things diverged from normal and make sure it is written down.',
}

export interface RoleSeat {
  role: Role
  holder: Person
  /** false: nobody was given this role, so the commander holds it. */
  delegated: boolean
  since: string
  by: Actor | null
  briefing?: string
}

/** Every role with its holder, in ICS order (command first). */
export function roleBoard(state: IncidentState): RoleSeat[] {
  return ROLES.map((role) => {
    const seat = state.roles[role]
    return {
      role,
      holder: holderOf(state, role),
      delegated: role === 'command' || seat.person !== null,
      since: seat.since,
      by: seat.by,
      briefing: seat.briefing,
    }
  })
}

/** Roles a person holds in an incident, the commander's undelegated ones included. */
export function rolesHeldBy(state: IncidentState, person: PersonRef): Role[] {
  if (!person.name.trim()) return []
  return ROLES.filter((role) => samePerson(person, holderOf(state, role)))
}

export interface MyIncidentRoles {
  incident: IncidentState
  roles: Role[]
}

/** Open incidents where a person holds at least one role: their "My roles" list. */
export function myIncidentRoles(states: Iterable<IncidentState>, me: PersonRef): MyIncidentRoles[] {
  const out: MyIncidentRoles[] = []
  for (const incident of states) {
    if (incident.status === 'resolved') continue
    const roles = rolesHeldBy(incident, me)
    if (roles.length) out.push({ incident, roles })
  }
  return out
}
