import { afterEach, describe, expect, it } from 'vitest'
import { freshApp } from '../../tests/fixtures/app'
import { commandWorld } from '../../tests/fixtures/command-world'
import { useIncidentsStore } from '../stores/incidents'
import { useIncidentCommands } from './useIncidentCommands'

afterEach(() => useIncidentsStore().stop())

describe('incident commands', () => {
  it('declareIncident stores a trimmed incident, empty optional fields left out, and answers its id', async () => {
    await freshApp()
    const declared = await useIncidentCommands().declareIncident({
      title: ' Core switch down ',
      severity: 2,
      summary: '  ',
      location: ' High school ',
    })
    if (!declared.ok) throw new Error(declared.reason)
    expect(useIncidentsStore().incident(declared.value)).toMatchObject({
      title: 'Core switch down',
      severity: 2,
      summary: '',
      location: 'High school',
      status: 'active',
    })
  })

  it('declareIncident makes a sub-incident of its parent', async () => {
    const w = await commandWorld()
    const child = await useIncidentCommands().declareIncident({ title: 'Building B', severity: 3, parentId: w.id })
    expect(child.ok && w.store.incident(child.value)?.parentId).toBe(w.id)
  })

  it('declareIncident answers field errors keyed title and severity, storing nothing', async () => {
    const { db } = await freshApp()
    const refused = await useIncidentCommands().declareIncident({ title: '  ', severity: '' })
    expect(!refused.ok && refused.fields).toEqual({
      title: 'Give the incident a title: what is broken, where.',
      severity: 'Choose a severity from 1 (worst) to 4.',
    })
    expect(await db.events.count()).toBe(0)
  })

  it('setStatus and resolve move the status, resolve with a trimmed note', async () => {
    const w = await commandWorld()
    const commands = useIncidentCommands()
    expect((await commands.setStatus(w.id, 'mitigated')).ok).toBe(true)
    expect(w.incident().status).toBe('mitigated')
    expect((await commands.resolve(w.id, ' back to normal ')).ok).toBe(true)
    expect(w.incident().status).toBe('resolved')
    expect(w.incident().statusHistory.at(-1)).toMatchObject({ to: 'resolved', note: 'back to normal' })
  })
})
