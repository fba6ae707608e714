import { describe, expect, it } from 'vitest'
import { DANA, KIM, LEE, SAM, incidentScript } from '../../tests/fixtures/incident-script'
import { ROLES } from './events'
import { holderOf } from './fold'
import { ROLE_DUTIES, myIncidentRoles, roleBoard, rolesHeldBy } from './roles'

describe('roles', () => {
  it('gives the commander every role nobody was given', () => {
    const s = incidentScript().fold()
    expect(roleBoard(s).map((r) => [r.role, r.holder.name, r.delegated])).toEqual([
      ['command', 'Dana', true],
      ['ops', 'Dana', false],
      ['comms', 'Dana', false],
      ['planning', 'Dana', false],
    ])
    expect(rolesHeldBy(s, DANA)).toEqual(['command', 'ops', 'comms', 'planning'])
    expect(rolesHeldBy(s, SAM)).toEqual([])
  })

  it('moves a role on assignment and back to the commander when handed back', () => {
    const script = incidentScript()
    script.add('role.assigned', { role: 'ops', person: { id: LEE.id, name: 'Lee' } })
    let s = script.fold()
    expect(holderOf(s, 'ops')).toEqual({ id: LEE.id, name: 'Lee' })
    expect(rolesHeldBy(s, LEE)).toEqual(['ops'])
    expect(rolesHeldBy(s, DANA)).toEqual(['command', 'comms', 'planning'])
    script.add('role.assigned', { role: 'ops', person: null }, LEE)
    s = script.fold()
    expect(roleBoard(s)[1]).toMatchObject({ role: 'ops', holder: { name: 'Dana' }, delegated: false, by: LEE })
    expect(rolesHeldBy(s, LEE)).toEqual([])
  })

  it('hands command off with a briefing: the new commander holds the undelegated roles', () => {
    const script = incidentScript()
    script.add('role.assigned', { role: 'comms', person: { id: KIM.id, name: 'Kim' } })
    script.add('role.assigned', {
      role: 'command',
      person: { id: SAM.id, name: 'Sam' },
      briefing: 'Uplink cut; Kim on comms.',
    })
    const s = script.fold()
    expect(roleBoard(s)[0]).toMatchObject({
      role: 'command',
      holder: { name: 'Sam' },
      briefing: 'Uplink cut; Kim on comms.',
      by: DANA,
    })
    expect(rolesHeldBy(s, SAM)).toEqual(['command', 'ops', 'planning'])
    expect(rolesHeldBy(s, KIM)).toEqual(['comms'])
    expect(rolesHeldBy(s, DANA)).toEqual([])
  })

  it('matches a typed name with no id to the responder of that name', () => {
    const script = incidentScript()
    script.add('role.assigned', { role: 'planning', person: { name: 'kim' } })
    expect(rolesHeldBy(script.fold(), KIM)).toEqual(['planning'])
    expect(rolesHeldBy(script.fold(), { name: '  ' })).toEqual([])
  })

  it('lists my roles in open incidents only', () => {
    const open = incidentScript({ title: 'Open one' })
    open.add('role.assigned', { role: 'ops', person: { id: LEE.id, name: 'Lee' } })
    const other = incidentScript({ title: 'Not mine' }, { by: SAM })
    const closed = incidentScript({ title: 'Closed' })
    closed.add('role.assigned', { role: 'comms', person: { id: LEE.id, name: 'Lee' } })
    closed.add('incident.status', { status: 'resolved' })
    const mine = myIncidentRoles([open.fold(), other.fold(), closed.fold()], LEE)
    expect(mine.map((m) => [m.incident.title, m.roles])).toEqual([['Open one', ['ops']]])
  })

  it('has a duty card for every role', () => {
    for (const role of ROLES) expect(ROLE_DUTIES[role].length).toBeGreaterThan(20)
    expect(ROLE_DUTIES.ops).toMatch(/only one who changes systems/)
    expect(ROLE_DUTIES.ops).toMatch(/revert/)
  })
})
