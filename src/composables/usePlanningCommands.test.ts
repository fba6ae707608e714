import { afterEach, describe, expect, it } from 'vitest'
import { commandWorld } from '../../tests/fixtures/command-world'
import { LIMITS } from '../domain/events'
import { useIncidentsStore } from '../stores/incidents'
import { usePlanningCommands } from './usePlanningCommands'

afterEach(() => useIncidentsStore().stop())

describe('planning commands', () => {
  it('addTask stores a trimmed task, an empty owner left out', async () => {
    const w = await commandWorld()
    const planning = usePlanningCommands()
    await planning.addTask(w.id, { text: ' Call the vendor ', kind: 'followup', owner: ' Lee ' })
    await planning.addTask(w.id, { text: 'Order PSU', kind: 'other', owner: '  ' })
    expect([...w.incident().tasks.values()].map((t) => [t.text, t.kind, t.owner])).toEqual([
      ['Call the vendor', 'followup', 'Lee'],
      ['Order PSU', 'other', undefined],
    ])
  })

  it('addTask answers field errors keyed text and owner, storing nothing', async () => {
    const w = await commandWorld()
    const refused = await usePlanningCommands().addTask(w.id, {
      text: ' ',
      kind: 'bug',
      owner: 'x'.repeat(LIMITS.personName + 1),
    })
    expect(!refused.ok && Object.keys(refused.fields ?? {}).sort()).toEqual(['owner', 'text'])
    expect(!refused.ok && refused.fields!.text).toBe(
      'Say what needs doing, e.g. “Need one more person at the high school”.',
    )
    expect(w.incident().tasks.size).toBe(0)
  })

  it('markTaskDone and reopenTask tick and un-tick a task', async () => {
    const w = await commandWorld()
    const planning = usePlanningCommands()
    const added = await planning.addTask(w.id, { text: 'Call the vendor', kind: 'followup' })
    if (!added.ok || added.value.type !== 'task.added') throw new Error('not added')
    const taskId = added.value.payload.taskId
    expect((await planning.markTaskDone(w.id, taskId)).ok).toBe(true)
    expect(w.incident().tasks.get(taskId)!.done?.actor.name).toBe('Dana')
    expect((await planning.reopenTask(w.id, taskId)).ok).toBe(true)
    expect(w.incident().tasks.get(taskId)!.done).toBeFalsy()
  })
})
