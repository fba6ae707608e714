// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { overviewFromEvents } from '../domain/summary'
import { makeIncident } from '../../tests/fixtures/events'
import { incidentWorld, leaveWorld } from '../../tests/fixtures/incident-world'
import IncidentView from './IncidentView.vue'

afterEach(leaveWorld)

describe('IncidentView', () => {
  it('has a compact header, a sub-navigation, and the log with its contract names on the default tab', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(IncidentView, { id: w.id })
    expect(wrapper.find('h1').text()).toBe('Core switch down')
    expect(wrapper.find('.incident-header__mine').text()).toBe('You: Commander · Ops · Comms · Planning')
    const nav = wrapper.find('nav[aria-label="Incident sections"]')
    // Accessible names are the contract's; the visible label may be shorter ("Doc") to fit 320 px.
    expect(nav.findAll('a').map((a) => [a.attributes('aria-label'), a.attributes('href')])).toEqual([
      ['Log', `/incidents/${w.id}`],
      ['Roles', `/incidents/${w.id}/roles`],
      ['Changes', `/incidents/${w.id}/changes`],
      ['Updates', `/incidents/${w.id}/updates`],
      ['Tasks', `/incidents/${w.id}/tasks`],
      ['Document', `/incidents/${w.id}/document`],
    ])
    expect(nav.find('[aria-current="page"]').attributes('aria-label')).toBe('Log')
    expect(nav.find('a[href$="/document"]').text()).toBe('Document')
    expect(wrapper.find('label.visually-hidden').text()).toBe('Log entry')
    expect(wrapper.findAll('button').some((b) => b.text() === 'Add to log')).toBe(true)
    expect(wrapper.find('ol[aria-label="Timeline"]').exists()).toBe(true)
    expect(wrapper.find('a[href*="/incidents/new?parent="]').text()).toBe('Declare sub-incident')
  })

  it('shows each section on its tab, with counts of what needs attention', async () => {
    const w = await incidentWorld()
    await w.record('change.made', { changeId: 'CHANGE0001', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    await w.record('task.added', { taskId: 'TASK000001', text: 'Call vendor', kind: 'followup' })
    const wrapper = w.mount(IncidentView, { id: w.id })
    // Open changes are at the top of every tab but Changes itself.
    expect(wrapper.find('.open-changes h2').text()).toBe('1 open change — diverged from normal')
    const changes = wrapper.find('a[href$="/changes"].incident-tabs__link')
    expect([changes.text(), changes.attributes('aria-label')]).toEqual(['Changes 1', 'Changes, 1 open'])
    const tasks = wrapper.find('a[href$="/tasks"].incident-tabs__link')
    expect([tasks.text(), tasks.attributes('aria-label')]).toEqual(['Tasks 1', 'Tasks, 1 open'])
    // No visually hidden words in the row: they sat outside the viewport and widened the page.
    expect(wrapper.find('nav[aria-label="Incident sections"] .visually-hidden').exists()).toBe(false)
    for (const [tab, marker] of [
      ['roles', '#roles-title'],
      ['changes', '#changes-open-title'],
      ['updates', '#composer-title'],
      ['tasks', '#tasks-open-title'],
      ['document', 'article.document'],
    ] as const) {
      await wrapper.setProps({ tab })
      // Each section's code loads when first shown: busy, then the section.
      await vi.waitFor(() => expect(wrapper.find(marker).exists()).toBe(true))
      expect(wrapper.find('.incident__panel').attributes('aria-busy')).toBeUndefined()
      expect(wrapper.find('[aria-current="page"]').attributes('href')).toBe(`/incidents/${w.id}/${tab}`)
      expect(wrapper.find('.open-changes').exists()).toBe(tab !== 'changes')
    }
    await wrapper.setProps({ tab: 'nonsense' })
    expect(wrapper.find('ol[aria-label="Timeline"]').exists()).toBe(true)
  })

  it('lists sub-incidents with status and severity, and links a sub-incident to its parent', async () => {
    const w = await incidentWorld()
    const child = await w.store.declare({ title: 'Gym Wi-Fi', severity: 3, parentId: w.id })
    const childId = child.ok ? child.value : ''
    const wrapper = w.mount(IncidentView, { id: w.id })
    const list = wrapper.find('[aria-label="Sub-incidents"]')
    expect(list.text()).toContain('Gym Wi-Fi')
    expect(list.text()).toContain('active')
    expect(list.find('.severity-badge').attributes('data-severity')).toBe('3')
    await w.record('incident.status', { status: 'resolved' }, childId)
    await flushPromises()
    expect(wrapper.find('[aria-label="Sub-incidents"]').text()).toContain('resolved')
    await wrapper.setProps({ id: childId })
    expect(wrapper.find('.incident-header__parent').text()).toBe('Sub-incident of Core switch down')
  })

  it('says when the incident is not on this phone yet', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(IncidentView, { id: 'NOTHERE0001' })
    expect(wrapper.find('h1').text()).toBe('Incident not on this phone yet')
  })

  it('an archived incident whose log cannot be fetched says why, and offers to try again', async () => {
    const w = await incidentWorld()
    // Known by the server's overview only (scoped sync), on a phone with no server to fetch it from.
    const events = makeIncident(3)
    const id = events[0]!.incidentId
    await w.db.summaries.put({ id, overview: overviewFromEvents(events), lseq: 0, remote: { lastSeq: 3 } })
    await w.db.kv.put({ key: 'summaries-remote', value: 1 })
    await w.store.catchUp()
    expect(w.store.overview(id)).toBeDefined()
    const wrapper = w.mount(IncidentView, { id })
    expect(wrapper.find('h1').text()).toBe(overviewFromEvents(events)!.title)
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true))
    expect(wrapper.find('[role="alert"]').text()).toMatch(/^This incident’s log is not on this phone yet/)
    expect(wrapper.find('section').attributes('aria-busy')).toBe('false')
    await wrapper.find('button').trigger('click')
    expect(wrapper.find('[role="status"]').text()).toBe('Opening the incident’s log…')
    await flushPromises()
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true))
  })
})
