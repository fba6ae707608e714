// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { incidentWorld, leaveWorld } from '../../tests/fixtures/incident-world'
import IncidentsView from './IncidentsView.vue'

afterEach(leaveWorld)

describe('IncidentsView (incident command)', () => {
  it('shows My roles and, on each card, the next update and open tasks, kept current', async () => {
    const w = await incidentWorld({ title: 'Core switch down' })
    const other = await w.store.declare({ title: 'Printer jam', severity: 4 })
    await w.record('role.assigned', { role: 'command', person: { name: 'Sam' } }, other.ok ? other.value : '')
    const wrapper = w.mount(IncidentsView, {})
    const mine = wrapper.find('[aria-label="My roles"]')
    expect(mine.findAll('li .card__title').map((a) => a.text())).toEqual(['Core switch down'])
    expect(mine.find('li a').text()).toBe('Incident commander · Ops · Comms · Planning')
    const card = () => wrapper.findAll('.incident-card').find((c) => c.text().includes('Core switch down'))!
    expect(card().text()).toMatch(/Next update in (29|30) min/)
    await w.record('task.added', {
      taskId: 'TASK000001',
      text: 'Need one more person at the high school',
      kind: 'staffing',
    })
    await flushPromises()
    expect(card().text()).toContain('1 open task')
    await w.record('role.assigned', { role: 'command', person: { name: 'Lee' } })
    await flushPromises()
    expect(wrapper.find('[aria-label="My roles"]').exists()).toBe(false)
  })
})
