import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp, reopenApp } from '../../tests/fixtures/app'
import { readSetting } from '../db/settings'
import { useIncidentsStore } from './incidents'
import { useRunbooksStore } from './runbooks'

afterEach(() => {
  useIncidentsStore().stop()
  vi.restoreAllMocks()
})

describe('useRunbooksStore favourites', () => {
  it('are stored on this phone in the order starred, and read back after a reload', async () => {
    const { db, dbName } = await freshApp()
    const store = useRunbooksStore()
    expect(
      await Promise.all([
        store.toggleFavourite('switch-down'),
        store.toggleFavourite('dhcp'),
        store.toggleFavourite('wifi'),
      ]),
    ).toEqual([null, null, null])
    expect(await store.toggleFavourite('dhcp')).toBeNull()
    expect(store.favourites).toEqual(['switch-down', 'wifi'])
    expect(await readSetting(db, 'favouriteRunbooks')).toEqual(['switch-down', 'wifi'])

    await reopenApp(dbName)
    const again = useRunbooksStore()
    expect(again.isFavourite('wifi')).toBe(false)
    await again.load()
    expect(again.favourites).toEqual(['switch-down', 'wifi'])
    expect(again.isFavourite('wifi')).toBe(true)
    expect(again.isFavourite('dhcp')).toBe(false)
  })

  it('put the star back and say why when the write fails', async () => {
    const { db } = await freshApp()
    const store = useRunbooksStore()
    vi.spyOn(db.kv, 'put').mockRejectedValueOnce(new Error('QuotaExceededError'))
    expect(await store.toggleFavourite('switch-down')).toBe('Favourite not saved: QuotaExceededError')
    expect(store.favourites).toEqual([])
    expect(await store.toggleFavourite('switch-down')).toBeNull()
    expect(await readSetting(db, 'favouriteRunbooks')).toEqual(['switch-down'])
  })
})

describe('useRunbooksStore steps', () => {
  it('tick logs an action entry naming the step; untick strikes every entry that ticked it', async () => {
    await freshApp()
    const incidents = useIncidentsStore()
    const store = useRunbooksStore()
    const declared = await incidents.declare({ title: 'Switch down', severity: 2 })
    if (!declared.ok) throw new Error(declared.reason)
    const id = declared.value
    const runbook = { id: 'switch-down', title: 'Switch down in a closet' }
    const first = await store.tickStep(id, runbook, { index: 6, text: 'Check the lights' })
    const second = await store.tickStep(id, runbook, { index: 6, text: 'Check the lights' }) // another phone, at the same time
    await store.tickStep(id, runbook, { index: 7, text: 'Check the UPS' })
    if (!first.ok || !second.ok) throw new Error('not logged')
    expect(first.value.payload).toEqual({
      text: '✓ Check the lights — Switch down in a closet, step 7',
      kind: 'action',
      runbook: { id: 'switch-down', step: 6 },
    })

    expect(await store.untickStep(id, 'switch-down', 6)).toBeNull()
    const entries = incidents.incident(id)!.entries
    expect(entries.get(first.value.id)!.struck).toBe(true)
    expect(entries.get(second.value.id)!.struck).toBe(true)
    expect([...entries.values()].filter((e) => !e.struck).map((e) => e.runbook?.step)).toEqual([7])
    expect(entries.get(first.value.id)!.history[0]!.reason).toBe('Un-ticked in the runbook checklist')
  })

  it('refuses to untick in an incident this phone does not have', async () => {
    await freshApp()
    expect(await useRunbooksStore().untickStep('NOSUCHINCIDENT', 'switch-down', 0)).toBe(
      'That incident is not on this phone.',
    )
  })
})

describe('useRunbooksStore parameters', () => {
  it('keeps the values typed per incident on this phone, across a reload, and records them with a tick', async () => {
    const { dbName } = await freshApp()
    const incidents = useIncidentsStore()
    const store = useRunbooksStore()
    const declared = await incidents.declare({ title: 'Switch down', severity: 2 })
    if (!declared.ok) throw new Error(declared.reason)
    const id = declared.value
    expect(await store.parameterValues(id)).toEqual({})
    expect(await store.saveParameterValues(id, { switch_ip: '10.20.12.5', campus: '  ' })).toBeNull()
    expect(await store.parameterValues('OTHERINCIDENT1')).toEqual({})

    const ticked = await store.tickStep(
      id,
      { id: 'switch-down', title: 'Switch down' },
      { index: 1, text: 'Ping 10.20.12.5' },
      { switch_ip: '10.20.12.5' },
    )
    if (!ticked.ok) throw new Error(ticked.reason)
    expect(ticked.value.payload).toEqual({
      text: '✓ Ping 10.20.12.5 — Switch down, step 2 (switch_ip: 10.20.12.5)',
      kind: 'action',
      runbook: { id: 'switch-down', step: 1, parameters: { switch_ip: '10.20.12.5' } },
    })
    expect(incidents.incident(id)!.entries.get(ticked.value.id)!.runbook).toEqual({
      id: 'switch-down',
      step: 1,
      parameters: { switch_ip: '10.20.12.5' },
    })

    await reopenApp(dbName)
    expect(await useRunbooksStore().parameterValues(id)).toEqual({ switch_ip: '10.20.12.5' })
  })

  it('says why values were not saved', async () => {
    const { db } = await freshApp()
    vi.spyOn(db.kv, 'put').mockRejectedValueOnce(new Error('QuotaExceededError'))
    expect(await useRunbooksStore().saveParameterValues('INCIDENT0001', { vlan: '20' })).toBe(
      'Values not saved on this phone: QuotaExceededError',
    )
  })
})
