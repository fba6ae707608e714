// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import CommsPanel from './CommsPanel.vue'

const MIN = 60_000

afterEach(() => {
  leaveWorld()
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  delete (navigator as { share?: unknown }).share
})

describe('CommsPanel', () => {
  it('shows when the next update is due, then overdue, from the incident cadence', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const start = Date.UTC(2026, 10, 24, 9, 0)
    vi.setSystemTime(start)
    const w = await incidentWorld()
    vi.setSystemTime(start + 18 * MIN)
    let wrapper = w.mount(CommsPanel, { incidentId: w.id })
    expect(wrapper.find('.cadence__status').text()).toMatch(/^Next update in 12 min/)
    expect(wrapper.find('.cadence__status').attributes('role')).toBe('status')
    wrapper.unmount()
    vi.setSystemTime(start + 35 * MIN)
    wrapper = w.mount(CommsPanel, { incidentId: w.id })
    expect(wrapper.find('.cadence__status').text()).toMatch(/^Update overdue by 5 min/)
    expect(wrapper.find('.cadence__status').classes()).toContain('overdue')
  })

  it('edits the cadence with incident.edited', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(CommsPanel, { incidentId: w.id })
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Change cadence')!
      .trigger('click')
    await wrapper.find(`#cadence-${w.id}`).setValue(15)
    await wrapper.find('form.row').trigger('submit')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.updateCadenceMinutes).toBe(15))
    await flushPromises()
    expect(wrapper.text()).toContain('Every 15 min')
    expect(wrapper.find('.cadence__status').text()).toMatch(/Next update in 1[45] min/)
  })

  it('pre-fills the update from the state and posts it with audience and next due time', async () => {
    const w = await incidentWorld({ summary: 'No network in building B' })
    await w.record('log.entry', { text: 'Failing over to the backup uplink', kind: 'decision' })
    const wrapper = w.mount(CommsPanel, { incidentId: w.id })
    const body = wrapper.find(`#update-body-${w.id}`)
    const draft = (body.element as HTMLTextAreaElement).value
    expect(draft).toContain('Core switch down — Active.')
    expect(draft).toContain('Affected: High school — No network in building B')
    expect(draft).toContain('What we are doing: Failing over to the backup uplink.')
    expect(draft).toMatch(/Next update by /)
    await body.setValue('Building B is offline; we are failing over. Next update by 10:30.')
    await wrapper.find(`#update-audience-${w.id}`).setValue('Principals')
    await wrapper.find(`#update-next-${w.id}`).setValue(20)
    await wrapper.find('form.composer').trigger('submit')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.updates).toHaveLength(1))
    expect(w.store.incident(w.id)!.updates[0]).toMatchObject({
      body: 'Building B is offline; we are failing over. Next update by 10:30.',
      audience: 'Principals',
      nextDueMinutes: 20,
    })
    await flushPromises()
    const history = wrapper.find('[aria-label="Posted updates"]')
    expect(history.text()).toContain('→ Principals')
    expect(history.text()).toContain('next in 20 min')
    expect(wrapper.find('.cadence__status').text()).toMatch(/Next update in (20|21) min/)
    // Ready for the next one: a fresh draft, not the posted text.
    expect((wrapper.find(`#update-body-${w.id}`).element as HTMLTextAreaElement).value).toContain(
      'Core switch down — Active.',
    )
  })

  it('refuses an empty update and a next-due time out of range', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(CommsPanel, { incidentId: w.id })
    await wrapper.find(`#update-body-${w.id}`).setValue('  ')
    await wrapper.find(`#update-next-${w.id}`).setValue(5000)
    await wrapper.find('form.composer').trigger('submit')
    await flushPromises()
    const alerts = wrapper
      .findAll('form.composer [role="alert"]')
      .map((a) => a.text())
      .filter(Boolean)
    expect(alerts).toEqual(['Write the update first.', 'must be 1440 or less'])
    expect(w.store.incident(w.id)!.updates).toHaveLength(0)
  })

  it('has no Share button where the Web Share API is missing', async () => {
    const w = await incidentWorld()
    await w.record('update.posted', { body: 'Still down.' })
    const wrapper = w.mount(CommsPanel, { incidentId: w.id })
    expect('share' in navigator).toBe(false)
    expect(
      wrapper
        .find('[aria-label="Posted updates"] li')
        .findAll('button')
        .map((b) => b.text()),
    ).toEqual(['Copy'])
  })

  it('shares an update: system share sheet when present, copy, and a mailto link', async () => {
    const share = vi.fn(async () => undefined)
    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'share', { value: share, configurable: true })
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const w = await incidentWorld()
    await w.record('update.posted', { body: 'All schools back online.' })
    const wrapper = w.mount(CommsPanel, { incidentId: w.id })
    const item = wrapper.find('[aria-label="Posted updates"] li')
    await item
      .findAll('button')
      .find((b) => b.text() === 'Share')!
      .trigger('click')
    expect(share).toHaveBeenCalledWith({ title: 'Update: Core switch down', text: 'All schools back online.' })
    await item
      .findAll('button')
      .find((b) => b.text() === 'Copy')!
      .trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith('All schools back online.')
    expect(wrapper.find('[role="status"].visually-hidden').text()).toBe('Update copied.')
    expect(item.find('a').attributes('href')).toBe(
      'mailto:?subject=Update%3A%20Core%20switch%20down&body=All%20schools%20back%20online.',
    )
  })

  it('offers reminders to the Comms holder only, and says who Comms is to others', async () => {
    vi.stubGlobal(
      'Notification',
      Object.assign(function Notification() {}, {
        permission: 'default',
        requestPermission: vi.fn(async () => 'granted'),
      }),
    )
    const w = await incidentWorld()
    const wrapper = w.mount(CommsPanel, { incidentId: w.id })
    expect(wrapper.findAll('button').some((b) => b.text() === 'Remind me when an update is due')).toBe(true)
    await w.record('role.assigned', { role: 'comms', person: { name: 'Kim' } })
    await flushPromises()
    expect(wrapper.findAll('button').some((b) => b.text() === 'Remind me when an update is due')).toBe(false)
    expect(wrapper.text()).toContain('Comms is Kim: they post the updates.')
  })
})
