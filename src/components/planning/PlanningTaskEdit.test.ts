// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import PlanningPanel from './PlanningPanel.vue'

afterEach(leaveWorld)

/** A task Lee owns ("Call vendor", of `kind`), the Tasks panel mounted, and its edit form open; `uid` ends its field ids. */
async function editing(kind: 'followup' | 'other') {
  const w = await incidentWorld()
  await w.record('task.added', { taskId: 'TASK000001', text: 'Call vendor', kind, owner: 'Lee' })
  const wrapper = w.mount(PlanningPanel, { incidentId: w.id })
  await wrapper.get('button[aria-label="Edit task: Call vendor"]').trigger('click')
  return { w, wrapper, uid: `${w.id}-TASK000001` }
}

describe('editing a task', () => {
  it('corrects text, kind and owner with one task.edited holding only what changed', async () => {
    const { w, wrapper, uid } = await editing('followup')
    expect((wrapper.get(`#task-edit-text-${uid}`).element as HTMLInputElement).value).toBe('Call vendor')
    await wrapper.get(`#task-edit-text-${uid}`).setValue('Call the switch vendor')
    await wrapper.get(`#task-edit-kind-${uid}`).setValue('bug')
    await wrapper.get('form.task-edit').trigger('submit')
    await vi.waitFor(() =>
      expect(w.store.incident(w.id)!.tasks.get('TASK000001')).toMatchObject({
        text: 'Call the switch vendor',
        kind: 'bug',
        owner: 'Lee',
      }),
    )
    const edits = w.store.eventsOf(w.id).filter((e) => e.type === 'task.edited')
    expect(edits.map((e) => e.payload)).toEqual([{ taskId: 'TASK000001', text: 'Call the switch vendor', kind: 'bug' }])
    await flushPromises()
    expect(wrapper.find('form.task-edit').exists()).toBe(false)
    expect(wrapper.get('[aria-label="Open tasks"]').text()).toContain('Bug · Lee')
  })

  it('clears the owner, and refuses an empty text by name, storing nothing', async () => {
    const { w, wrapper, uid } = await editing('other')
    await wrapper.get(`#task-edit-text-${uid}`).setValue(' ')
    await wrapper.get('form.task-edit').trigger('submit')
    await flushPromises()
    expect(wrapper.get('form.task-edit [role="alert"]').text()).toMatch(/Say what needs doing/)
    expect(w.store.eventsOf(w.id).some((e) => e.type === 'task.edited')).toBe(false)
    await wrapper.get(`#task-edit-text-${uid}`).setValue('Call vendor')
    await wrapper.get(`#task-edit-owner-${uid}`).setValue('')
    await wrapper.get('form.task-edit').trigger('submit')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.tasks.get('TASK000001')!.owner).toBeUndefined())
  })
})
