// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import PlanningPanel from './PlanningPanel.vue'

afterEach(() => {
  leaveWorld()
  vi.restoreAllMocks()
})

describe('PlanningPanel', () => {
  it('adds a staffing task with an owner picked from the people seen', async () => {
    const w = await incidentWorld()
    await w.record('role.assigned', { role: 'ops', person: { name: 'Lee' } })
    const wrapper = w.mount(PlanningPanel, { incidentId: w.id })
    expect(wrapper.findAll('datalist option').map((o) => o.attributes('value'))).toEqual(['Dana', 'Lee'])
    await wrapper.find(`#task-text-${w.id}`).setValue('Need one more person at the high school')
    await wrapper.find(`#task-kind-${w.id}`).setValue('staffing')
    await wrapper.find(`#task-owner-${w.id}`).setValue('Lee')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.tasks.size).toBe(1))
    const [task] = w.store.incident(w.id)!.tasks.values()
    expect(task).toMatchObject({
      text: 'Need one more person at the high school',
      kind: 'staffing',
      owner: 'Lee',
      done: null,
    })
    await flushPromises()
    expect(wrapper.find('#tasks-open-title').text()).toBe('Open tasks (1)')
    expect(wrapper.find('[aria-label="Open tasks"]').text()).toContain('Staffing · Lee')
    expect((wrapper.find(`#task-text-${w.id}`).element as HTMLInputElement).value).toBe('')
  })

  it('marks a task done and undone, moving it between the lists', async () => {
    const w = await incidentWorld()
    await w.record('task.added', { taskId: 'TASK000001', text: 'File a bug on the switch firmware', kind: 'bug' })
    await w.record('task.added', { taskId: 'TASK000002', text: 'Order spare PSU', kind: 'followup' })
    const wrapper = w.mount(PlanningPanel, { incidentId: w.id })
    expect(wrapper.find('#tasks-open-title').text()).toBe('Open tasks (2)')
    await wrapper.find('[aria-label="Open tasks"] input[type="checkbox"]').setValue(true)
    await vi.waitFor(() => expect(w.store.incident(w.id)!.tasks.get('TASK000001')!.done).not.toBeNull())
    await flushPromises()
    expect(wrapper.find('#tasks-open-title').text()).toBe('Open tasks (1)')
    expect(wrapper.find('[aria-label="Done tasks"]').text()).toContain('File a bug on the switch firmware')
    expect(wrapper.find('[aria-label="Done tasks"]').text()).toMatch(/done .* by Dana/)
    await wrapper.find('[aria-label="Done tasks"] input[type="checkbox"]').setValue(false)
    await vi.waitFor(() => expect(w.store.incident(w.id)!.tasks.get('TASK000001')!.done).toBeNull())
    await flushPromises()
    expect(wrapper.find('#tasks-open-title').text()).toBe('Open tasks (2)')
    expect(wrapper.find('[aria-label="Done tasks"]').exists()).toBe(false)
    expect(
      w.store
        .incident(w.id)!
        .events.map((e) => e.type)
        .slice(-2),
    ).toEqual(['task.done', 'task.reopened'])
  })

  it('refuses an empty task and keeps the box as stored when a write fails', async () => {
    const w = await incidentWorld()
    await w.record('task.added', { taskId: 'TASK000001', text: 'Call the vendor', kind: 'other' })
    const wrapper = w.mount(PlanningPanel, { incidentId: w.id })
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('form [role="alert"]').text()).toMatch(/Say what needs doing/)
    vi.spyOn(w.db.events, 'bulkAdd').mockRejectedValueOnce(new Error('QuotaExceededError'))
    const box = wrapper.find('[aria-label="Open tasks"] input[type="checkbox"]')
    await box.setValue(true)
    await vi.waitFor(() =>
      expect(wrapper.find('[aria-label="Open tasks"] [role="alert"]').text()).toContain('QuotaExceededError'),
    )
    expect((box.element as HTMLInputElement).checked).toBe(false)
    expect(w.store.incident(w.id)!.tasks.get('TASK000001')!.done).toBeNull()
  })
})
