// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import IncidentHeader from './IncidentHeader.vue'
import IncidentTimeline from './IncidentTimeline.vue'

afterEach(leaveWorld)

type Wrapper = ReturnType<Awaited<ReturnType<typeof incidentWorld>>['mount']>
const button = (w: Wrapper, label: string) => w.findAll('button').find((b) => b.text() === label)

describe('editing an incident from its header', () => {
  it('escalates SEV3 → SEV1: a Timeline entry says so, and the incident moves up the list', async () => {
    const w = await incidentWorld({ title: 'Printer queue slow', severity: 3 })
    const other = await w.store.declare({ title: 'Gym Wi-Fi down', severity: 2 })
    if (!other.ok) throw new Error(other.reason)
    expect(w.store.incidents.map((i) => i.title)).toEqual(['Gym Wi-Fi down', 'Printer queue slow'])

    const header = w.mount(IncidentHeader, { incidentId: w.id })
    const timeline = w.mount(IncidentTimeline, { incidentId: w.id, rejected: new Map() })
    await button(header, 'Edit incident')!.trigger('click')
    expect((header.find(`#incident-edit-title-${w.id}`).element as HTMLInputElement).value).toBe('Printer queue slow')
    await header.find(`#incident-edit-severity-${w.id}`).setValue('1')
    await header.find('form.incident-edit').trigger('submit')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.severity).toBe(1))
    await flushPromises()

    // Only the changed field is sent: another person's edit of the title or location stands.
    const edited = w.store.eventsOf(w.id).filter((e) => e.type === 'incident.edited')
    // Only the severity changed (`seen`, the write it replaced, rides along: src/domain/conflicts.ts).
    expect(edited.map(({ payload: { seen: _seen, ...fields } }) => fields)).toEqual([{ severity: 1 }])
    expect(header.find('form.incident-edit').exists()).toBe(false)
    expect(header.find('.severity-badge').text()).toContain('SEV1')
    expect(timeline.find('[aria-label="Timeline"] > li .timeline__text').text()).toBe('Severity SEV3 → SEV1 by Dana')
    expect(w.store.incidents.map((i) => i.title)).toEqual(['Printer queue slow', 'Gym Wi-Fi down'])
  })

  it('corrects title, location and summary; a blank title is refused by name and nothing is stored', async () => {
    const w = await incidentWorld()
    const header = w.mount(IncidentHeader, { incidentId: w.id })
    await button(header, 'Edit incident')!.trigger('click')
    await header.find(`#incident-edit-title-${w.id}`).setValue('  ')
    await header.find('form.incident-edit').trigger('submit')
    await flushPromises()
    expect(header.find('form.incident-edit [role="alert"]').text()).toBe(
      'Give the incident a title: what is broken, where.',
    )
    expect(w.store.eventsOf(w.id).some((e) => e.type === 'incident.edited')).toBe(false)

    await header.find(`#incident-edit-title-${w.id}`).setValue('Core switch down in building B')
    await header.find(`#incident-edit-location-${w.id}`).setValue('High school, building B')
    await header.find(`#incident-edit-summary-${w.id}`).setValue('No network on floors 1–3')
    await header.find('form.incident-edit').trigger('submit')
    await vi.waitFor(() =>
      expect(w.store.incident(w.id)).toMatchObject({
        title: 'Core switch down in building B',
        location: 'High school, building B',
        summary: 'No network on floors 1–3',
        severity: 2,
      }),
    )
    await flushPromises()
    expect(header.find('h1').text()).toBe('Core switch down in building B')
  })

  it('keeps a half-typed edit across a reload and opens the form again to show it', async () => {
    const w = await incidentWorld()
    let header = w.mount(IncidentHeader, { incidentId: w.id })
    await button(header, 'Edit incident')!.trigger('click')
    await header.find(`#incident-edit-location-${w.id}`).setValue('Library')
    header.unmount()
    header = w.mount(IncidentHeader, { incidentId: w.id })
    expect((header.find(`#incident-edit-location-${w.id}`).element as HTMLInputElement).value).toBe('Library')
    // Cancel closes the form and keeps the draft for next time; nothing is stored.
    await button(header, 'Cancel')!.trigger('click')
    expect(header.find('form.incident-edit').exists()).toBe(false)
    expect(w.store.incident(w.id)!.location).toBe('High school')
  })
})
