import { afterEach, describe, expect, it } from 'vitest'
import { commandWorld } from '../../tests/fixtures/command-world'
import { useIncidentsStore } from '../stores/incidents'
import { useIncidentCommands } from './useIncidentCommands'
import { usePlanningCommands } from './usePlanningCommands'

afterEach(() => useIncidentsStore().stop())

const form = { title: 'Core switch down', severity: 2, summary: '', location: '' }

describe('editIncident', () => {
  it('sends only the fields that changed, trimmed', async () => {
    const w = await commandWorld()
    const edited = await useIncidentCommands().editIncident(w.id, { ...form, severity: 1, location: ' Gym ' })
    if (!edited.ok || !edited.value) throw new Error('not stored')
    expect(edited.value.type).toBe('incident.edited')
    // `seen` (the writes it replaced, src/domain/conflicts.ts) rides along; the fields are what was changed.
    const { seen: _seen, ...fields } = edited.value.payload as Record<string, unknown>
    expect(fields).toEqual({ severity: 1, location: 'Gym' })
    expect(w.incident()).toMatchObject({ severity: 1, location: 'Gym', title: 'Core switch down' })
  })

  it('stores nothing when nothing changed, and refuses bad fields by name', async () => {
    const w = await commandWorld()
    const commands = useIncidentCommands()
    expect(await commands.editIncident(w.id, { ...form, title: ' Core switch down ' })).toEqual({
      ok: true,
      value: null,
    })
    const refused = await commands.editIncident(w.id, { ...form, title: '', severity: 7, location: 'x'.repeat(201) })
    expect(!refused.ok && refused.fields).toEqual({
      title: 'Give the incident a title: what is broken, where.',
      severity: 'must be 4 or less',
      location: 'must be at most 200 characters',
    })
    expect(w.store.eventsOf(w.id).filter((e) => e.type === 'incident.edited')).toHaveLength(0)
    expect((await commands.editIncident('NOSUCHINCIDENT', form)).ok).toBe(false)
  })
})

describe('editTask', () => {
  it('sends only what changed; an empty owner clears it; nothing changed stores nothing', async () => {
    const w = await commandWorld()
    const planning = usePlanningCommands()
    const added = await planning.addTask(w.id, { text: 'Call vendor', kind: 'followup', owner: 'Lee' })
    if (!added.ok || added.value.type !== 'task.added') throw new Error('task not added')
    const taskId = added.value.payload.taskId
    const edited = await planning.editTask(w.id, taskId, { text: 'Call vendor ', kind: 'followup', owner: '' })
    expect(edited.ok && edited.value?.payload).toEqual({ taskId, owner: '' })
    expect(w.incident().tasks.get(taskId)!.owner).toBeUndefined()
    expect(await planning.editTask(w.id, taskId, { text: 'Call vendor', kind: 'followup' })).toEqual({
      ok: true,
      value: null,
    })
    const refused = await planning.editTask(w.id, taskId, { text: ' ', kind: 'followup' })
    expect(!refused.ok && Object.keys(refused.fields ?? {})).toEqual(['text'])
    expect((await planning.editTask(w.id, 'NOSUCHTASK01', { text: 'x', kind: 'bug' })).ok).toBe(false)
  })
})
