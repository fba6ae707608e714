import { afterEach, describe, expect, it } from 'vitest'
import { commandWorld } from '../../tests/fixtures/command-world'
import { LIMITS } from '../domain/events'
import { useIncidentsStore } from '../stores/incidents'
import { useProfileStore } from '../stores/profile'
import { useRoleCommands } from './useRoleCommands'

afterEach(() => useIncidentsStore().stop())

describe('role commands', () => {
  it('assignRole gives the role to a new name, with a trimmed briefing', async () => {
    const w = await commandWorld()
    const made = await useRoleCommands().assignRole(w.id, 'ops', { name: ' Lee ', briefing: ' Switch is down. ' })
    expect(made.ok).toBe(true)
    expect(w.incident().roles.ops).toMatchObject({ person: { name: 'Lee' }, briefing: 'Switch is down.' })
  })

  it('assignRole picks a person seen before by name, whatever the case, with their id', async () => {
    const w = await commandWorld()
    const me = useProfileStore().actor
    await useRoleCommands().assignRole(w.id, 'comms', { name: me.name.toUpperCase() })
    expect(w.incident().roles.comms.person).toEqual({ id: me.id, name: me.name })
  })

  it('assignRole refuses an empty or over-long name under the field person', async () => {
    const w = await commandWorld()
    const roles = useRoleCommands()
    const empty = await roles.assignRole(w.id, 'ops', { name: '  ' })
    const long = await roles.assignRole(w.id, 'ops', { name: 'n'.repeat(LIMITS.personName + 1) })
    expect(!empty.ok && empty.fields).toEqual({ person: 'Type or pick who takes the role.' })
    expect(!long.ok && long.fields).toEqual({ person: `A name can be at most ${LIMITS.personName} characters.` })
    expect(w.incident().roles.ops.person).toBeNull()
  })

  it('stamps each assignment with the one it replaces here, and acknowledgeConflict names both writes', async () => {
    const w = await commandWorld()
    const roles = useRoleCommands()
    const declaration = w.incident().events[0]!
    const first = await roles.assignRole(w.id, 'ops', { name: 'Sam' })
    const second = await roles.assignRole(w.id, 'ops', { name: 'Kim' })
    if (!first.ok || !second.ok) throw new Error('assign failed')
    expect(first.value.payload).toMatchObject({ seen: declaration.id })
    expect(second.value.payload).toMatchObject({ seen: first.value.id })
    const ack = await roles.acknowledgeConflict(w.id, {
      kept: { ...second.value, eventId: second.value.id, value: null },
      replaced: { ...first.value, eventId: first.value.id, value: null },
    })
    expect(ack.ok && ack.value).toMatchObject({
      type: 'conflict.acknowledged',
      payload: { keptId: second.value.id, replacedId: first.value.id },
    })
  })

  it('handBackRole returns the role to the commander', async () => {
    const w = await commandWorld()
    const roles = useRoleCommands()
    await roles.assignRole(w.id, 'planning', { name: 'Kim' })
    expect((await roles.handBackRole(w.id, 'planning')).ok).toBe(true)
    expect(w.incident().roles.planning.person).toBeNull()
  })
})
