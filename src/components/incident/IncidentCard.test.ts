// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import IncidentCard from './IncidentCard.vue'

const MIN = 60_000

afterEach(leaveWorld)

describe('IncidentCard', () => {
  it('shows next update, open tasks and open changes, and follows the state through revision', async () => {
    const w = await incidentWorld()
    const state = w.store.incident(w.id)!
    // The card shows the overview; the list hands it the new one on every revision.
    const wrapper = w.mount(IncidentCard, {
      incident: w.store.overview(w.id)!,
      now: state.declaredMs + 18 * MIN,
      revision: w.store.revision,
    })
    expect(wrapper.find('.incident-card__command').text()).toBe('Next update in 12 min')
    await w.record('task.added', { taskId: 'TASK000001', text: 'a', kind: 'other' })
    await w.record('task.added', { taskId: 'TASK000002', text: 'b', kind: 'bug' })
    await w.record('change.made', { changeId: 'CHANGE0001', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    await wrapper.setProps({
      incident: w.store.overview(w.id)!,
      revision: w.store.revision,
      now: state.declaredMs + 45 * MIN,
    })
    const facts = wrapper.findAll('.incident-card__command > span').map((s) => s.text())
    expect(facts).toEqual(['Update overdue by 15 min', '2 open tasks', '1 open change'])
    expect(wrapper.find('.incident-card__overdue').exists()).toBe(true)
    await w.record('task.done', { taskId: 'TASK000001' })
    await w.record('change.reverted', { changeId: 'CHANGE0001' })
    await w.record('incident.status', { status: 'resolved' })
    await wrapper.setProps({ incident: w.store.overview(w.id)!, revision: w.store.revision })
    // Resolved: no cadence; one task still open.
    expect(wrapper.find('.incident-card__command').text()).toBe('1 open task')
    expect(wrapper.find('.status-pill').text()).toBe('resolved')
  })
})
