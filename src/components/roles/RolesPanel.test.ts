// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SWITCH_CHANGE, incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import { receiveRemote } from '../../../tests/fixtures/remote-event'
import { holderOf } from '../../domain/fold'
import RolesPanel from './RolesPanel.vue'
import RolesMine from './RolesMine.vue'

afterEach(() => {
  leaveWorld()
  vi.restoreAllMocks()
})

type Wrapper = ReturnType<Awaited<ReturnType<typeof incidentWorld>>['mount']>

const seat = (wrapper: Wrapper, role: string) => wrapper.find(`[data-role="${role}"].seat`)

/** Taps the button on a role's seat whose text is `name`, or starts with it when `name` is a prefix match. */
async function tap(wrapper: Wrapper, role: string, name: string, match: 'exact' | 'prefix' = 'exact'): Promise<void> {
  await seat(wrapper, role)
    .findAll('button')
    .find((b) => (match === 'exact' ? b.text() === name : b.text().startsWith(name)))!
    .trigger('click')
}

/** Types `person` into the open assign form and submits it. */
async function submitPerson(wrapper: Wrapper, person: string): Promise<void> {
  await wrapper.find('input[list]').setValue(person)
  await wrapper.find('form').trigger('submit')
}

describe('RolesPanel', () => {
  it('shows the commander holding every undelegated role, and my duty cards', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(RolesPanel, { incidentId: w.id })
    for (const role of ['command', 'ops', 'comms', 'planning']) expect(seat(wrapper, role).text()).toContain('Dana')
    expect(seat(wrapper, 'ops').find('h3').text()).toBe('Ops — Dana (commander)')
    expect(seat(wrapper, 'command').find('h3').text()).toBe('Incident commander — Dana')
    expect(wrapper.find('[aria-label="Your duty as Incident commander"]').text()).toMatch(/big picture/)
    expect(wrapper.find('.duties__standin summary').text()).toBe(
      'Also yours until you hand them out: Ops, Comms, Planning',
    )
    // Command cannot be handed back to itself, nor "assigned" without a briefing.
    expect(
      seat(wrapper, 'command')
        .findAll('button')
        .map((b) => b.text()),
    ).toEqual(['Hand off Incident commander'])
  })

  it('assigns a role to a typed name, picks up a known person with their id, and hands it back', async () => {
    const w = await incidentWorld()
    // Sam is known to the team from another incident, with a device id.
    const other = await w.store.declare({ title: 'Printer', severity: 4 })
    await w.record(
      'role.assigned',
      { role: 'planning', person: { id: 'dev-sam', name: 'Sam' } },
      other.ok ? other.value : '',
    )
    const wrapper = w.mount(RolesPanel, { incidentId: w.id })
    await tap(wrapper, 'ops', 'Assign Ops')
    expect(wrapper.findAll('datalist option').map((o) => o.attributes('value'))).toEqual(['Dana', 'Sam'])
    await submitPerson(wrapper, 'sam')
    await vi.waitFor(() => expect(holderOf(w.store.incident(w.id)!, 'ops')).toEqual({ id: 'dev-sam', name: 'Sam' }))
    await flushPromises()
    expect(seat(wrapper, 'ops').text()).toContain('Sam')
    expect(seat(wrapper, 'ops').text()).toContain('assigned by Dana')

    await tap(wrapper, 'ops', 'Hand back Ops', 'prefix')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.roles.ops.person).toBeNull())
    await flushPromises()
    expect(seat(wrapper, 'ops').find('h3').text()).toBe('Ops — Dana (commander)')
    expect(seat(wrapper, 'ops').text()).not.toContain('assigned by')
  })

  it('refuses an empty name beside the field', async () => {
    const w = await incidentWorld()
    const wrapper = w.mount(RolesPanel, { incidentId: w.id })
    await tap(wrapper, 'comms', 'Assign Comms')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toBe('Type or pick who takes the role.')
    expect(w.store.incident(w.id)!.roles.comms.person).toBeNull()
  })

  it('hands command off with a briefing drafted from the state, edited before sending', async () => {
    const w = await incidentWorld({ summary: 'No network in building B' })
    await w.record('change.made', SWITCH_CHANGE)
    await w.record('task.added', {
      taskId: 'TASK000001',
      text: 'Need one more person at the high school',
      kind: 'staffing',
    })
    await w.record('update.posted', { body: 'Building B offline.', audience: 'Principals' })
    const wrapper = w.mount(RolesPanel, { incidentId: w.id })
    await seat(wrapper, 'command').find('button').trigger('click')
    const briefing = wrapper.find('textarea')
    const draft = (briefing.element as HTMLTextAreaElement).value
    expect(draft).toContain('Situation: Core switch down — Active, SEV2 · major')
    expect(draft).toContain('Affected: High school — No network in building B')
    expect(draft).toContain('- core-sw-1: shut port 24 — revert: no shut port 24')
    expect(draft).toMatch(/Last update .* by Dana to Principals: “Building B offline\.”/)
    expect(draft).toMatch(/Next update in 30 min/)
    expect(draft).toContain('- [Staffing] Need one more person at the high school')
    await briefing.setValue(`${draft}\nWatch the UPS in closet 2.`)
    await submitPerson(wrapper, 'Sam')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.roles.command.person).toEqual({ name: 'Sam' }))
    expect(w.store.incident(w.id)!.roles.command.briefing).toMatch(/Watch the UPS in closet 2\.$/)
    await flushPromises()
    // Dana no longer commands: no duty cards for her; the briefing shows on the seat.
    expect(wrapper.find('#my-duties-title').exists()).toBe(false)
    expect(seat(wrapper, 'command').find('details summary').text()).toBe('Handoff briefing')
  })

  it('asks for notification permission when I take Comms myself, only the first time', async () => {
    const request = vi.fn(async () => 'granted' as NotificationPermission)
    vi.stubGlobal(
      'Notification',
      Object.assign(function Notification() {}, { permission: 'default', requestPermission: request }),
    )
    try {
      const w = await incidentWorld()
      const wrapper = w.mount(RolesPanel, { incidentId: w.id })
      await tap(wrapper, 'comms', 'Assign Comms')
      await submitPerson(wrapper, 'Dana')
      await vi.waitFor(() => expect(w.store.incident(w.id)!.roles.comms.person?.name).toBe('Dana'))
      expect(request).toHaveBeenCalledTimes(1)
      await tap(wrapper, 'ops', 'Assign Ops')
      await submitPerson(wrapper, 'Dana')
      await vi.waitFor(() => expect(w.store.incident(w.id)!.roles.ops.person?.name).toBe('Dana'))
      expect(request).toHaveBeenCalledTimes(1)
    } finally {
      vi.unstubAllGlobals()
    }
  })
})

describe('RolesPanel: assignments made at the same time offline', () => {
  it('shows one phone’s assignment replacing another’s until someone confirms it', async () => {
    const w = await incidentWorld()
    const declaration = w.store.incident(w.id)!.events[0]!
    const wrapper = w.mount(RolesPanel, { incidentId: w.id })
    const notice = () => wrapper.find('[aria-labelledby="conflicts-title"]')
    const mine = await w.record('role.assigned', { role: 'ops', person: { name: 'Sam' } })
    // This phone's write names what it replaced.
    expect(mine.payload).toMatchObject({ seen: declaration.id })
    // Lee's phone, offline, held only the declaration when Lee gave Ops to Kim.
    const lees = await receiveRemote(w.db, mine, 'role.assigned', {
      role: 'ops',
      person: { name: 'Kim' },
      seen: declaration.id,
    })
    await flushPromises()
    expect(seat(wrapper, 'ops').find('h3').text()).toBe('Ops — Kim')
    expect(notice().find('h2').text()).toBe('Made at the same time offline')
    expect(
      notice()
        .findAll('li')
        .map((li) => li.find('p').text()),
    ).toEqual(["Ops: Lee's assignment (Kim) replaced Dana's (Sam), made at the same time offline"])
    const confirm = notice().find('button')
    expect(confirm.text()).toBe('Confirm')
    expect(document.getElementById(confirm.attributes('aria-describedby')!)!.textContent).toContain('Ops: Lee')

    await confirm.trigger('click')
    await vi.waitFor(() => expect(notice().exists()).toBe(false))
    expect(w.store.incident(w.id)!.events.at(-1)).toMatchObject({
      type: 'conflict.acknowledged',
      payload: { keptId: lees.id, replacedId: mine.id },
    })
    expect(w.store.incident(w.id)!.conflicts[0]!.acknowledged).toMatchObject({ actor: { name: 'Dana' } })
  })

  it('shows nothing when the second assignment was made after seeing the first', async () => {
    const w = await incidentWorld()
    const mine = await w.record('role.assigned', { role: 'ops', person: { name: 'Sam' } })
    await receiveRemote(w.db, mine, 'role.assigned', { role: 'ops', person: { name: 'Kim' }, seen: mine.id })
    const wrapper = w.mount(RolesPanel, { incidentId: w.id })
    expect(seat(wrapper, 'ops').find('h3').text()).toBe('Ops — Kim')
    expect(wrapper.find('[aria-labelledby="conflicts-title"]').exists()).toBe(false)
  })
})

describe('RolesMine', () => {
  it('lists open incidents where I hold a role, one compact line each, linking to the duties on the Roles tab', async () => {
    const w = await incidentWorld({ title: 'Mine by default' })
    const theirs = await w.store.declare({ title: 'Handed to Sam', severity: 3 })
    const theirsId = theirs.ok ? theirs.value : ''
    await w.record('role.assigned', { role: 'command', person: { name: 'Sam' } }, theirsId)
    const lee = await w.store.declare({ title: 'Comms for me', severity: 3 })
    const leeId = lee.ok ? lee.value : ''
    await w.record('role.assigned', { role: 'command', person: { name: 'Lee' } }, leeId)
    await w.record('role.assigned', { role: 'comms', person: { name: 'dana' } }, leeId)
    const wrapper = w.mount(RolesMine, {})
    const items = wrapper.findAll('li.my-roles__card')
    expect(items.map((li) => [li.find('.card__title').text(), li.find('a').text()])).toEqual([
      ['Mine by default', 'Incident commander · Ops · Comms · Planning'],
      ['Comms for me', 'Comms'],
    ])
    expect(items[1]!.find('a').attributes('href')).toBe(`/incidents/${leeId}/roles`)
    expect(items[1]!.find('a').attributes('aria-describedby')).toBe(items[1]!.find('.card__title').attributes('id'))
    // The duty cards are on the Roles tab the link opens: here they would push the incident list off the first screen.
    expect(wrapper.find('.duty-card').exists()).toBe(false)
  })
})
