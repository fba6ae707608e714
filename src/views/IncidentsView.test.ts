// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { incidentWorld, leaveWorld } from '../../tests/fixtures/incident-world'
import IncidentsView from './IncidentsView.vue'
// Loaded lazily by the view: imported here first so its chunk is ready when the view asks for it.
import '../components/incident/IncidentList.vue'

afterEach(leaveWorld)

describe('IncidentsView (incident command)', () => {
  it('shows My roles and, on each card, the next update and open tasks, kept current', async () => {
    const w = await incidentWorld({ title: 'Core switch down' })
    const other = await w.store.declare({ title: 'Printer jam', severity: 4 })
    await w.record('role.assigned', { role: 'command', person: { name: 'Sam' } }, other.ok ? other.value : '')
    const wrapper = w.mount(IncidentsView, {})
    await vi.waitFor(() => expect(wrapper.find('.incident-card').exists()).toBe(true))
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

describe('IncidentsView (finding incidents)', () => {
  async function declareUnder(w: Awaited<ReturnType<typeof incidentWorld>>, title: string, parentId: string) {
    const made = await w.store.declare({ title, severity: 3, parentId })
    if (!made.ok) throw new Error(made.reason)
    return made.value
  }
  type Wrapper = ReturnType<Awaited<ReturnType<typeof incidentWorld>>['mount']>
  const topLevelTitles = (wrapper: Wrapper) =>
    wrapper.findAll('[aria-label="Open incidents"] > li[aria-level="1"] .incident-card__title').map((t) => t.text())
  const rows = (wrapper: Wrapper) =>
    wrapper
      .findAll('li[aria-level]')
      .map((li) => `${li.attributes('aria-level')} ${li.find('.incident-card__title').text()}`)
  /** The list is its own chunk, loaded once there are incidents. */
  async function mountList(w: Awaited<ReturnType<typeof incidentWorld>>): Promise<Wrapper> {
    const wrapper = w.mount(IncidentsView, {})
    await vi.waitFor(() => expect(wrapper.find('input[type="search"]').exists()).toBe(true))
    return wrapper
  }

  it('nests sub-incidents under their top parent at any depth, collapsible (a grandchild is not a top-level card)', async () => {
    const w = await incidentWorld({ title: 'Campus network down' })
    const child = await declareUnder(w, 'Building B switch', w.id)
    const grandchild = await declareUnder(w, 'Gym wifi', child)
    await declareUnder(w, 'Gym AP 4', grandchild)
    const wrapper = await mountList(w)
    expect(topLevelTitles(wrapper)).toEqual(['Campus network down'])
    expect(rows(wrapper)).toEqual(['1 Campus network down', '2 Building B switch', '3 Gym wifi', '4 Gym AP 4'])
    const toggle = wrapper.find('li[aria-level="1"] button[aria-expanded]')
    expect(toggle.text()).toBe('Hide 3 sub-incidents')
    await toggle.trigger('click')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(toggle.text()).toBe('Show 3 sub-incidents')
    expect(rows(wrapper)).toEqual(['1 Campus network down'])
  })

  it('searches log text offline, counts the matches, and follows new events', async () => {
    const w = await incidentWorld({ title: 'Core switch down' })
    const other = await w.store.declare({ title: 'Printer queue stuck', severity: 4 })
    if (!other.ok) throw new Error(other.reason)
    await w.record('log.entry', { text: 'Replaced the transceiver on uplink 2', kind: 'action' })
    const wrapper = await mountList(w)
    const field = wrapper.find('input[type="search"]')
    expect(wrapper.find('label[for="incident-search-field"]').text()).toBe('Search incidents')
    await field.trigger('focus')
    await field.setValue('transciever')
    const status = () => wrapper.find('[role="status"]').text()
    await vi.waitFor(() => expect(status()).toBe('1 incident matches “transciever”'))
    expect(topLevelTitles(wrapper)).toEqual(['Core switch down'])
    // A new event on the other incident: it joins the results without a rebuild.
    await w.record('log.entry', { text: 'Printer transceiver swapped', kind: 'action' }, other.value)
    await vi.waitFor(() => expect(status()).toBe('2 incidents match “transciever”'))
    await field.setValue('')
    expect(status()).toBe('')
    expect(topLevelTitles(wrapper)).toEqual(['Core switch down', 'Printer queue stuck'])
  })

  it('filters by severity, status and my roles', async () => {
    const w = await incidentWorld({ title: 'Core switch down', severity: 2 })
    const other = await w.store.declare({ title: 'Printer jam', severity: 4 })
    if (!other.ok) throw new Error(other.reason)
    await w.record('role.assigned', { role: 'command', person: { name: 'Sam' } }, other.value)
    const wrapper = await mountList(w)
    const [statusSelect, severitySelect] = wrapper.findAll('select')
    await severitySelect!.setValue('4')
    expect(topLevelTitles(wrapper)).toEqual(['Printer jam'])
    expect(wrapper.find('[role="status"]').text()).toBe('1 incident matches the filters')
    await severitySelect!.setValue('')
    await wrapper.find('.incident-search__check input').setValue(true)
    expect(topLevelTitles(wrapper)).toEqual(['Core switch down'])
    await statusSelect!.setValue('resolved')
    expect(wrapper.find('[role="status"]').text()).toBe('0 incidents match the filters')
  })

  it('shows My roles as compact lines, two until "Show all", without the duty cards', async () => {
    const w = await incidentWorld({ title: 'Core switch down' })
    for (const title of ['Printer jam', 'Door badge readers']) await w.store.declare({ title, severity: 3 })
    const wrapper = await mountList(w)
    const items = () => wrapper.findAll('[aria-label="My roles"] > li')
    // Whoever declares commands: three incidents, three lines, and the list must stay on the first screen.
    expect(items()).toHaveLength(2)
    const more = wrapper.find('.my-roles__more')
    expect(more.text()).toBe('Show all 3')
    expect(more.attributes('aria-expanded')).toBe('false')
    await more.trigger('click')
    expect(items()).toHaveLength(3)
    expect(more.text()).toBe('Show fewer')
    expect(wrapper.find('[aria-label="My roles"] details').exists()).toBe(false)
    for (const li of items()) expect(li.findAll('a')).toHaveLength(1)
  })
})
