// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DHCP_CHANGE, SWITCH_CHANGE, incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import ChangesPanel from './ChangesPanel.vue'
import ChangesOpenBanner from './ChangesOpenBanner.vue'

afterEach(leaveWorld)

async function fill(
  wrapper: { find: (s: string) => { setValue: (v: string) => Promise<void> } },
  system: string,
  what: string,
  revert: string,
) {
  await wrapper.find('#change-system').setValue(system)
  await wrapper.find('#change-what').setValue(what)
  await wrapper.find('#change-revert').setValue(revert)
}

const changes = (w: Awaited<ReturnType<typeof incidentWorld>>) => [...w.store.incident(w.id)!.changes.values()]

describe('ChangesPanel', () => {
  it('records a change as Ops with no warning, listed as open with how to revert', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(ChangesPanel, { incidentId: w.id })
    expect(wrapper.find('.notice').exists()).toBe(false)
    await fill(wrapper, 'core-sw-1', 'shut port 24', 'no shut port 24')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(changes(w)).toHaveLength(1))
    await flushPromises()
    expect(changes(w)[0]).toMatchObject({
      system: 'core-sw-1',
      what: 'shut port 24',
      revert: 'no shut port 24',
      madeOutsideOps: false,
    })
    expect(changes(w)[0]!.id).toMatch(/^[0-9A-Z]{26}$/)
    const open = wrapper.find('[aria-label="Open changes"]')
    expect(open.text()).toContain('core-sw-1')
    expect(open.text()).toContain('To revert: no shut port 24')
    expect(open.text()).not.toContain('Made outside Ops')
    expect((wrapper.find('#change-system').element as HTMLInputElement).value).toBe('')
  })

  it('warns a responder who is not Ops, records only after "Record anyway", and marks it', async () => {
    const w = await incidentWorld()
    await w.record('role.assigned', { role: 'ops', person: { name: 'Lee' } })
    const wrapper = w.mount(ChangesPanel, { incidentId: w.id })
    expect(wrapper.find('.notice').text()).toContain('Ops is Lee.')
    await fill(wrapper, 'firewall', 'allow 10.2.0.0/16', 'remove rule 7')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('.notice').attributes('role')).toBe('alert')
    expect(wrapper.find('.notice').text()).toContain('marked as made outside Ops')
    expect(changes(w)).toHaveLength(0)
    const submit = wrapper.find('button[type="submit"]')
    expect(submit.text()).toBe('Record anyway')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(changes(w)).toHaveLength(1))
    await flushPromises()
    expect(changes(w)[0]).toMatchObject({ madeOutsideOps: true, opsHolder: { name: 'Lee' } })
    expect(wrapper.find('[aria-label="Open changes"]').text()).toContain('Made outside Ops (Ops was Lee)')
    expect(wrapper.find('button[type="submit"]').text()).toBe('Record change')
  })

  it('asks how to revert and names empty fields beside them', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(ChangesPanel, { incidentId: w.id })
    await fill(wrapper, '', 'x', '')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('#change-system-error').text()).toBe('must not be empty')
    expect(wrapper.find('#change-revert-error').text()).toMatch(/how to undo it/)
    expect(wrapper.find('#change-revert').attributes('aria-invalid')).toBe('true')
    expect(changes(w)).toHaveLength(0)
  })

  it('marks a change reverted with a note, moving it to the reverted list', async () => {
    const w = await incidentWorld()
    await w.record('change.made', { changeId: 'CHANGE0001', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    const wrapper = w.mount(ChangesPanel, { incidentId: w.id })
    await wrapper
      .findAll('button')
      .find((b) => b.text().startsWith('Mark reverted'))!
      .trigger('click')
    await wrapper.find('#revert-note-CHANGE0001').setValue('back to 8 days')
    await wrapper.find('.change__revert').trigger('submit')
    await vi.waitFor(() => expect(changes(w)[0]!.reverted?.note).toBe('back to 8 days'))
    await flushPromises()
    expect(wrapper.find('[aria-label="Open changes"]').exists()).toBe(false)
    expect(wrapper.find('[aria-label="Reverted changes"]').text()).toContain('Reverted')
    expect(wrapper.find('[aria-label="Reverted changes"]').text()).toContain('back to 8 days')
  })

  it('shows kept changes apart, with who kept them', async () => {
    const w = await incidentWorld()
    await w.record('change.made', { changeId: 'CHANGE0001', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    await w.record('log.entry', { text: 'Kept change on dhcp', kind: 'decision', keptChangeId: 'CHANGE0001' })
    const wrapper = w.mount(ChangesPanel, { incidentId: w.id })
    expect(wrapper.find('#changes-open-title').text()).toBe('Open changes (0)')
    expect(wrapper.find('[aria-label="Kept changes"]').text()).toContain('Kept on purpose')
  })
})

describe('ChangesOpenBanner', () => {
  it('lists open changes at the top of the incident, and hides when there are none', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(ChangesOpenBanner, { incidentId: w.id })
    expect(wrapper.find('.open-changes').exists()).toBe(false)
    await w.record('change.made', SWITCH_CHANGE)
    await w.record('change.made', DHCP_CHANGE)
    await flushPromises()
    expect(wrapper.find('h2').text()).toBe('2 open changes — diverged from normal')
    expect(wrapper.findAll('li').map((li) => li.text())).toEqual(['core-sw-1: shut port 24', 'dhcp: lease 1h'])
    expect(wrapper.find('a').attributes('href')).toBe(`/incidents/${w.id}/changes`)
    await w.record('change.reverted', { changeId: 'CHANGE0001' })
    await w.record('change.reverted', { changeId: 'CHANGE0002' })
    await flushPromises()
    expect(wrapper.find('.open-changes').exists()).toBe(false)
  })
})
