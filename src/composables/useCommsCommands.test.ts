import { afterEach, describe, expect, it } from 'vitest'
import { commandWorld } from '../../tests/fixtures/command-world'
import { LIMITS } from '../domain/events'
import { useIncidentsStore } from '../stores/incidents'
import { useCommsCommands } from './useCommsCommands'

afterEach(() => useIncidentsStore().stop())

describe('comms commands', () => {
  it('postUpdate stores the trimmed update, an empty audience left out', async () => {
    const w = await commandWorld()
    const comms = useCommsCommands()
    await comms.postUpdate(w.id, { body: ' Building B offline. ', audience: ' Principals ', nextDueMinutes: 20 })
    await comms.postUpdate(w.id, { body: 'Still down.', audience: '', nextDueMinutes: 30 })
    expect(w.incident().updates.map((u) => [u.body, u.audience, u.nextDueMinutes])).toEqual([
      ['Building B offline.', 'Principals', 20],
      ['Still down.', undefined, 30],
    ])
  })

  it('postUpdate answers field errors keyed body, audience and nextDueMinutes', async () => {
    const w = await commandWorld()
    const refused = await useCommsCommands().postUpdate(w.id, {
      body: '  ',
      audience: 'a'.repeat(LIMITS.personName * 10),
      nextDueMinutes: 0,
    })
    expect(!refused.ok && Object.keys(refused.fields ?? {}).sort()).toEqual(['audience', 'body', 'nextDueMinutes'])
    expect(!refused.ok && refused.fields!.body).toBe('Write the update first.')
    expect(w.incident().updates).toEqual([])
  })

  it('setUpdateCadence stores whole minutes from 1 to 1440 and refuses the rest', async () => {
    const w = await commandWorld()
    const comms = useCommsCommands()
    for (const bad of [0, 1441, 2.5, Number.NaN]) {
      const refused = await comms.setUpdateCadence(w.id, bad)
      expect(!refused.ok && refused.fields).toEqual({ updateCadenceMinutes: 'Choose 1 to 1440 minutes.' })
    }
    expect((await comms.setUpdateCadence(w.id, 15)).ok).toBe(true)
    expect(w.incident().updateCadenceMinutes).toBe(15)
  })
})
