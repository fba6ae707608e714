import { afterEach, describe, expect, it } from 'vitest'
import { commandWorld } from '../../tests/fixtures/command-world'
import { useIncidentsStore } from '../stores/incidents'
import { changeFormErrors, useChangeCommands } from './useChangeCommands'

afterEach(() => useIncidentsStore().stop())

describe('change commands', () => {
  it('recordChange stores a trimmed change.made with a new id', async () => {
    const w = await commandWorld()
    const made = await useChangeCommands().recordChange(w.id, {
      system: ' dhcp ',
      what: 'lease 1h\n',
      revert: ' lease 8d',
    })
    expect(made.ok && made.value.type).toBe('change.made')
    const [change] = [...w.incident().changes.values()]
    expect(change).toMatchObject({ system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    expect(change!.id).toMatch(/\S/)
  })

  it('recordChange answers field errors by name and stores nothing', async () => {
    const w = await commandWorld()
    const before = await w.db.events.count()
    const refused = await useChangeCommands().recordChange(w.id, { system: 'x'.repeat(201), what: '', revert: '  ' })
    expect(refused.ok).toBe(false)
    if (refused.ok) return
    expect(Object.keys(refused.fields ?? {}).sort()).toEqual(['revert', 'system', 'what'])
    expect(refused.fields!.revert).toBe('Say how to undo it: whoever reverts it may not be you.')
    expect(refused.reason).toBe(Object.values(refused.fields!)[0])
    expect(await w.db.events.count()).toBe(before)
  })

  it('changeFormErrors checks a form without recording it', () => {
    expect(changeFormErrors({ system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })).toEqual({})
    expect(Object.keys(changeFormErrors({ system: 'dhcp', what: 'lease 1h', revert: '' }))).toEqual(['revert'])
  })

  it('revertChange marks the change reverted with a trimmed note, or none', async () => {
    const w = await commandWorld()
    const changes = useChangeCommands()
    const a = await changes.recordChange(w.id, { system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    const b = await changes.recordChange(w.id, { system: 'fw', what: 'open 443', revert: 'close 443' })
    if (!a.ok || a.value.type !== 'change.made' || !b.ok || b.value.type !== 'change.made') throw new Error('not made')
    expect((await changes.revertChange(w.id, a.value.payload.changeId, ' back to 8d ')).ok).toBe(true)
    expect((await changes.revertChange(w.id, b.value.payload.changeId, '   ')).ok).toBe(true)
    expect(w.incident().changes.get(a.value.payload.changeId)!.reverted?.note).toBe('back to 8d')
    expect(w.incident().changes.get(b.value.payload.changeId)!.reverted?.note).toBeUndefined()
  })

  it('keepChange logs a decision that names the kept change', async () => {
    const w = await commandWorld()
    const changes = useChangeCommands()
    await changes.recordChange(w.id, { system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    const change = [...w.incident().changes.values()][0]!
    const kept = await changes.keepChange(w.id, change, 'vendor asked')
    expect(kept.ok && kept.value.type === 'log.entry' && kept.value.payload).toEqual({
      text: 'Kept change on dhcp on purpose: lease 1h — vendor asked. To revert later: lease 8d',
      kind: 'decision',
      keptChangeId: change.id,
    })
  })
})
