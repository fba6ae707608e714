// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SWITCH_CHANGE, incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import { groupChanges } from '../../domain/changes'
import IncidentStatusControl from './IncidentStatusControl.vue'

afterEach(leaveWorld)

type Wrapper = ReturnType<Awaited<ReturnType<typeof incidentWorld>>['mount']>
const buttons = (wrapper: Wrapper) => wrapper.findAll('button').map((b) => b.text())
const click = (wrapper: Wrapper, label: string) =>
  wrapper
    .findAll('button')
    .find((b) => b.text() === label)!
    .trigger('click')

describe('IncidentStatusControl', () => {
  it('moves active → mitigated → resolved → reopened, each logged with who and when', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(IncidentStatusControl, { incidentId: w.id })
    expect(buttons(wrapper)).toEqual(['Mark mitigated', 'Resolve'])
    await click(wrapper, 'Mark mitigated')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.status).toBe('mitigated'))
    await flushPromises()
    expect(buttons(wrapper)).toEqual(['Resolve', 'Back to active'])
    await click(wrapper, 'Resolve')
    await flushPromises()
    expect(wrapper.find('#resolve-title').text()).toBe('Resolve this incident')
    expect(wrapper.text()).toContain('No open changes left to decide.')
    await wrapper.find(`#resolve-note-${w.id}`).setValue('all green')
    await click(wrapper, 'Resolve incident')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.status).toBe('resolved'))
    await flushPromises()
    expect(buttons(wrapper)).toEqual(['Reopen'])
    await click(wrapper, 'Reopen')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.status).toBe('active'))
    expect(w.store.incident(w.id)!.statusHistory.map((h) => [h.from, h.to, h.actor.name, h.note])).toEqual([
      ['active', 'mitigated', 'Dana', undefined],
      ['mitigated', 'resolved', 'Dana', 'all green'],
      ['resolved', 'active', 'Dana', undefined],
    ])
  })

  it('asks about each open change: revert now, or keep on purpose (logged as a decision)', async () => {
    const w = await incidentWorld()
    await w.record('change.made', SWITCH_CHANGE)
    await w.record('change.made', {
      changeId: 'CHANGE0002',
      system: 'firewall',
      what: 'allow 10.2.0.0/16',
      revert: 'remove rule 7',
    })
    await w.record('change.made', { changeId: 'CHANGE0003', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    await w.record('change.reverted', { changeId: 'CHANGE0003' })
    const wrapper = w.mount(IncidentStatusControl, { incidentId: w.id })
    await click(wrapper, 'Resolve')
    await flushPromises()
    expect(wrapper.find('.notice[role="status"]').text()).toContain('2 open changes to decide')
    expect(wrapper.find('.notice[role="status"]').text()).toContain(
      'core-sw-1 — shut port 24.To revert: no shut port 24',
    )
    expect(buttons(wrapper)).not.toContain('Resolve incident')
    await wrapper.find(`#resolve-note-${w.id}`).setValue('port 24 back up')
    await click(wrapper, 'Revert now')
    await vi.waitFor(() => expect(wrapper.find('.notice[role="status"]').text()).toContain('firewall'))
    expect(w.store.incident(w.id)!.changes.get('CHANGE0001')!.reverted?.note).toBe('port 24 back up')
    await wrapper.find(`#resolve-note-${w.id}`).setValue('the gym needs it until Monday')
    await click(wrapper, 'Keep on purpose')
    await vi.waitFor(() => expect(wrapper.text()).toContain('No open changes left to decide.'))
    const state = w.store.incident(w.id)!
    const decision = [...state.entries.values()].at(-1)!
    expect(decision).toMatchObject({
      kind: 'decision',
      text: 'Kept change on firewall on purpose: allow 10.2.0.0/16 — the gym needs it until Monday. To revert later: remove rule 7',
    })
    expect(groupChanges(state).kept.map((k) => k.change.id)).toEqual(['CHANGE0002'])
    expect(state.status).toBe('active')
    await click(wrapper, 'Resolve incident')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.status).toBe('resolved'))
    // The kept change stays on the record.
    expect(w.store.incident(w.id)!.changes.get('CHANGE0002')!.reverted).toBeNull()
  })

  it('warns about sub-incidents still open and lists them, but lets the parent resolve', async () => {
    const w = await incidentWorld()
    const child = await w.store.declare({ title: 'Gym Wi-Fi', severity: 3, parentId: w.id })
    const done = await w.store.declare({ title: 'Library printers', severity: 4, parentId: w.id })
    await w.record('incident.status', { status: 'resolved' }, done.ok ? done.value : '')
    const wrapper = w.mount(IncidentStatusControl, { incidentId: w.id })
    await click(wrapper, 'Resolve')
    await flushPromises()
    const warning = wrapper.find('.notice--danger')
    expect(warning.attributes('role')).toBe('alert')
    expect(warning.text()).toContain('1 sub-incident is still open:')
    expect(warning.findAll('li').map((li) => li.text())).toEqual(['Gym Wi-Fi (active, SEV3)'])
    expect(warning.find('a').attributes('href')).toBe(`/incidents/${child.ok ? child.value : ''}`)
    await click(wrapper, 'Resolve incident')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.status).toBe('resolved'))
    expect(w.store.incident(child.ok ? child.value : '')!.status).toBe('active')
  })

  it('closes the resolve panel on Cancel without recording anything', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(IncidentStatusControl, { incidentId: w.id })
    await click(wrapper, 'Resolve')
    await flushPromises()
    await click(wrapper, 'Cancel')
    await flushPromises()
    expect(wrapper.find('#resolve-title').exists()).toBe(false)
    expect(await w.db.events.count()).toBe(1)
  })
})
