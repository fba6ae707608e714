// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import { receiveRemote } from '../../../tests/fixtures/remote-event'
import { saveRunbookCatalogue } from '../../db/runbooks'
import { compileSyncedRunbook } from '../../runbooks/compile-synced'
import { useClockStore } from '../../stores/clock'
import IncidentTimeline from './IncidentTimeline.vue'

vi.mock('virtual:runbooks', async () => ({
  default: (await import('../../../tests/fixtures/runbooks')).starter.manifest,
}))

afterEach(() => {
  vi.useRealTimers()
  leaveWorld()
})

type Wrapper = ReturnType<Awaited<ReturnType<typeof incidentWorld>>['mount']>
const texts = (wrapper: Wrapper) => wrapper.findAll('[aria-label="Timeline"] > li .timeline__text').map((p) => p.text())
const itemWith = (wrapper: Wrapper, text: string) =>
  wrapper.findAll('[aria-label="Timeline"] > li').find((li) => li.find('.timeline__text').text().includes(text))!
const button = (w: Wrapper | ReturnType<Wrapper['find']>, label: string) =>
  w.findAll('button').find((b) => b.text() === label)!
/** The Timeline of the world's incident, with nothing rejected. */
const timeline = (w: Awaited<ReturnType<typeof incidentWorld>>) =>
  w.mount(IncidentTimeline, { incidentId: w.id, rejected: new Map() })
/** A world whose log holds one entry, its Timeline mounted, and that entry's row. */
async function withEntry(text: string, kind: 'action' | 'observation' | 'decision' | 'note') {
  const w = await incidentWorld()
  await w.record('log.entry', { text, kind })
  const wrapper = timeline(w)
  return { w, wrapper, item: itemWith(wrapper, text) }
}
/** Opens an entry's menu and taps one of its actions (Pin, Unpin, Correct, Strike, Restore). */
async function choose(item: ReturnType<Wrapper['find']>, action: string): Promise<void> {
  await button(item, 'Pin, correct or strike').trigger('click')
  await button(item, action).trigger('click')
}

describe('IncidentTimeline', () => {
  it('marks a write that replaced another made at the same time offline, and shows its confirmation', async () => {
    const w = await incidentWorld()
    const declaration = w.store.incident(w.id)!.events[0]!
    const wrapper = timeline(w)
    const mine = await w.record('role.assigned', { role: 'ops', person: { name: 'Sam' } })
    await flushPromises()
    expect(wrapper.find('.timeline__conflict').exists()).toBe(false)
    const lees = await receiveRemote(w.db, mine, 'role.assigned', {
      role: 'ops',
      person: { name: 'Kim' },
      seen: declaration.id,
    })
    await flushPromises()
    const marks = itemWith(wrapper, 'Ops → Kim').findAll('.timeline__conflict')
    expect(marks.map((m) => m.text())).toEqual([
      "Made at the same time Ops: Lee's assignment (Kim) replaced Dana's (Sam), made at the same time offline",
    ])
    expect(marks[0]!.attributes('role')).toBe('note')
    expect(itemWith(wrapper, 'Ops → Sam').find('.timeline__conflict').exists()).toBe(false)
    await w.record('conflict.acknowledged', { keptId: lees.id, replacedId: mine.id })
    await flushPromises()
    expect(texts(wrapper)[0]).toBe(
      "Confirmed: Ops: Lee's assignment (Kim) replaced Dana's (Sam), made at the same time offline",
    )
    // The mark stays: the record shows what happened, the confirmation says someone checked it.
    expect(itemWith(wrapper, 'Ops → Kim').find('.timeline__conflict').exists()).toBe(true)
  })

  it('shows new events as they are recorded, newest first', async () => {
    const w = await incidentWorld()
    const wrapper = timeline(w)
    await w.record('log.entry', { text: 'Closet is dark', kind: 'observation' })
    await w.record('role.assigned', { role: 'ops', person: { name: 'Lee' } })
    await flushPromises()
    expect(texts(wrapper)).toEqual(['Ops → Lee', 'Closet is dark', 'Declared “Core switch down” (SEV2 · major)'])
  })

  it('filters by kind and by person, and says how many are shown', async () => {
    const w = await incidentWorld()
    await w.record('log.entry', { text: 'Rebooted core-sw-1', kind: 'action' })
    await w.record('log.entry', { text: 'Fail over', kind: 'decision' })
    await w.record('change.made', { changeId: 'CHANGE0001', system: 'dhcp', what: 'lease 1h', revert: 'lease 8d' })
    await w.record('update.posted', { body: 'Working on it' })
    await w.record('incident.status', { status: 'mitigated' })
    const wrapper = timeline(w)
    await wrapper.find('input[value="decision"]').setValue(true)
    expect(texts(wrapper)).toEqual(['Fail over'])
    await wrapper.find('input[value="change"]').setValue(true)
    expect(texts(wrapper)).toEqual(['Change on dhcp: lease 1h (revert: lease 8d)', 'Fail over'])
    expect(wrapper.find('[role="status"]').text()).toBe('2 of 6 entries shown')
    await wrapper.find('input[value="decision"]').setValue(false)
    await wrapper.find('input[value="change"]').setValue(false)
    await wrapper.find('input[value="status"]').setValue(true)
    expect(texts(wrapper)).toEqual(['Status → mitigated'])
    await button(wrapper, 'Show all').trigger('click')
    expect(texts(wrapper)).toHaveLength(6)
    const select = wrapper.find('#timeline-person')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['Everyone', 'Dana'])
    await select.setValue(w.store.incident(w.id)!.declaredBy.id)
    expect(texts(wrapper)).toHaveLength(6)
  })

  it('pins an entry: shown first, marked, and unpinned again', async () => {
    const w = await incidentWorld()
    await w.record('log.entry', { text: 'Key decision: fail over', kind: 'decision' })
    await w.record('log.entry', { text: 'Later chatter', kind: 'note' })
    const wrapper = timeline(w)
    const item = itemWith(wrapper, 'Key decision')
    await choose(item, 'Pin')
    await vi.waitFor(() => expect(texts(wrapper)[0]).toBe('Key decision: fail over'))
    const pinned = itemWith(wrapper, 'Key decision')
    expect(pinned.text()).toContain('Pinned')
    expect(pinned.attributes('data-pinned')).toBe('true')
    await choose(pinned, 'Unpin')
    await vi.waitFor(() => expect(texts(wrapper)[0]).toBe('Later chatter'))
  })

  it('corrects an entry, keeping the original in its history', async () => {
    const { wrapper, item } = await withEntry('Rebooted core-sw-2', 'action')
    await choose(item, 'Correct')
    await item.find('textarea').setValue('Rebooted core-sw-1')
    await item.find('input[type="text"]').setValue('wrong switch')
    await item.find('form').trigger('submit')
    await vi.waitFor(() => expect(texts(wrapper)[0]).toBe('Rebooted core-sw-1 (corrected)'))
    const history = itemWith(wrapper, 'core-sw-1').find('.timeline__history')
    expect(history.find('summary').text()).toBe('History (1)')
    const lines = history.findAll('li').map((li) => li.text())
    expect(lines[0]).toMatch(/^Original, .* Dana: “Rebooted core-sw-2”$/)
    expect(lines[1]).toMatch(/Dana corrected to “Rebooted core-sw-1” — wrong switch$/)
  })

  it('strikes an entry through with a reason and can restore it; nothing is deleted', async () => {
    const entry = await withEntry('Printer on fire', 'observation')
    const { w, wrapper } = entry
    let item = entry.item
    await choose(item, 'Strike')
    await item.find('input[type="text"]').setValue('wrong incident')
    await item.find('form').trigger('submit')
    await vi.waitFor(() =>
      expect(itemWith(wrapper, 'Printer on fire').find('.timeline__text').classes()).toContain('struck'),
    )
    item = itemWith(wrapper, 'Printer on fire')
    expect(item.find('.timeline__text').text()).toBe('Struck through: Printer on fire')
    expect(item.find('.timeline__history').text()).toContain('struck it through — wrong incident')
    await choose(item, 'Restore')
    await item.find('form').trigger('submit')
    await vi.waitFor(() =>
      expect(itemWith(wrapper, 'Printer on fire').find('.timeline__text').classes()).not.toContain('struck'),
    )
    expect(w.store.incident(w.id)!.entries.size).toBe(1)
  })

  it('renders only a window of a long timeline, each row placed in the whole list', async () => {
    const w = await incidentWorld()
    for (let i = 0; i < 130; i++) await w.record('log.entry', { text: `entry ${i}`, kind: 'note' })
    const wrapper = timeline(w)
    const shown = texts(wrapper)
    // happy-dom has no layout: rows count at their estimated height, so a window plus overscan.
    expect(shown.length).toBeGreaterThan(3)
    expect(shown.length).toBeLessThan(40)
    expect(shown[0]).toBe('entry 129')
    const list = wrapper.find('[aria-label="Timeline"]')
    expect(list.attributes('role')).toBe('list')
    const rows = list.findAll(':scope > li')
    expect(rows[0]!.attributes('aria-setsize')).toBe('131')
    expect(rows[0]!.attributes('aria-posinset')).toBe('1')
    expect(rows[1]!.attributes('aria-posinset')).toBe('2')
    // The rows not rendered still take their room, so the page scrolls the whole length.
    expect(parseInt((list.element as HTMLElement).style.paddingBottom)).toBeGreaterThan(100 * 90)
    // A new entry goes on top and the set grows.
    await w.record('log.entry', { text: 'entry 130', kind: 'note' })
    await flushPromises()
    expect(texts(wrapper)[0]).toBe('entry 130')
    expect(list.findAll(':scope > li')[0]!.attributes('aria-setsize')).toBe('132')
  })

  it('filters the whole list, not just the rows in view', async () => {
    const w = await incidentWorld()
    await w.record('log.entry', { text: 'Oldest decision', kind: 'decision' })
    for (let i = 0; i < 80; i++) await w.record('log.entry', { text: `entry ${i}`, kind: 'note' })
    const wrapper = timeline(w)
    expect(texts(wrapper)).not.toContain('Oldest decision')
    await wrapper.find('input[value="decision"]').setValue(true)
    expect(texts(wrapper)).toEqual(['Oldest decision'])
    expect(wrapper.find('[aria-label="Timeline"] > li').attributes('aria-setsize')).toBe('1')
  })

  it('shows the server’s reason beside a refused event', async () => {
    const w = await incidentWorld()
    const entry = await w.record('log.entry', { text: 'Refused one', kind: 'note' })
    const wrapper = w.mount(IncidentTimeline, {
      incidentId: w.id,
      rejected: new Map([[entry.id, 'payload.text: too long']]),
    })
    expect(itemWith(wrapper, 'Refused one').find('[role="note"]').text()).toBe(
      'Not accepted by the server: payload.text: too long',
    )
  })

  it('heads each day, dates the entries not from today, and follows the clock setting', async () => {
    // Only Date is faked: IndexedDB and Vue still run on real timers.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.UTC(2026, 9, 31, 5, 30)) // Sat 31 Oct, 01:30 in New York
    const w = await incidentWorld()
    vi.setSystemTime(Date.UTC(2026, 10, 1, 5, 30)) // Sun 1 Nov, 01:30 EDT
    await w.record('log.entry', { text: 'Failover started', kind: 'action' })
    vi.setSystemTime(Date.UTC(2026, 10, 1, 6, 30)) // an hour later, 01:30 EST
    await w.record('log.entry', { text: 'Failover finished', kind: 'action' })
    vi.setSystemTime(Date.UTC(2026, 10, 2, 15, 0)) // Mon 2 Nov, 10:00
    await w.record('log.entry', { text: 'Post-mortem booked', kind: 'note' })
    const clock = useClockStore()
    clock.timeZone = 'America/New_York'
    clock.locale = ['en-US']
    clock.now = Date.now()
    clock.setChoice('h23')
    const wrapper = timeline(w)
    await flushPromises()
    const rows = wrapper.findAll('[aria-label="Timeline"] > li')
    expect(rows.map((li) => li.find('h3').exists() && li.find('h3').text())).toEqual([
      'Today',
      'Yesterday',
      false,
      'Sat, Oct 31',
    ])
    const times = () => wrapper.findAll('[aria-label="Timeline"] > li time').map((t) => t.text())
    expect(times()).toEqual(['10:00', 'Sun, Nov 1, 01:30 EST', 'Sun, Nov 1, 01:30 EDT', 'Sat, Oct 31, 01:30'])
    // The list still counts entries, not headings.
    expect(rows[0]!.attributes('aria-setsize')).toBe('4')
    clock.setChoice('h12')
    await flushPromises()
    expect(times()[1]).toBe('Sun, Nov 1, 1:30 AM EST')
    expect(localStorage.getItem('command-post:clock')).toBe('h12')
  })

  it('shows a runbook tick’s step as the version it was ticked in has it, by step id, else by position', async () => {
    const w = await incidentWorld()
    const v1 = '# Closet\n\n## Power\n\n- [ ] Check the UPS on battery\n- [ ] Check the breaker\n'
    const v2 = '# Closet\n\n## Power\n\n- [ ] Call facilities\n- [ ] Check the UPS on battery\n'
    const rows = [v1, v2].map((source, i) => ({
      id: 'closet',
      version: i + 1,
      ...compileSyncedRunbook(source, 'closet', i + 1),
      storedAt: '2026-12-01T08:00:00.000Z',
    }))
    await saveRunbookCatalogue(w.db, { serverUrl: '', etag: '"e"', published: { closet: 2 }, checkedAt: 'now' }, rows)
    const tick = (text: string, runbook: { id: string; step: number; version?: number; stepId?: string }) =>
      w.record('log.entry', { text, kind: 'action', runbook })
    // Its text was corrected by hand afterwards: the step it names is still version 1's first.
    await tick('✓ UPS — Closet, step 1', {
      id: 'closet',
      step: 0,
      version: 1,
      stepId: 'power/check-the-ups-on-battery',
    })
    // No step id (an older phone): its position in version 1.
    await tick('✓ breaker', { id: 'closet', step: 1, version: 1 })
    // Version 2, by id.
    await tick('✓ facilities', { id: 'closet', step: 0, version: 2, stepId: 'power/call-facilities' })
    // A version this phone never held: only its own text.
    await tick('✓ from version 9', { id: 'closet', step: 0, version: 9, stepId: 'power/call-facilities' })
    const wrapper = timeline(w)
    const resolved = (text: string) => itemWith(wrapper, text).find('.timeline__runbook')
    // The row's runbook part reads stored versions after the row renders: wait on what it shows (bounded).
    const shown = { timeout: 20_000, interval: 20 }
    await vi.waitFor(() => expect(resolved('✓ facilities').exists()).toBe(true), shown)
    await vi.waitFor(() => expect(resolved('✓ UPS').exists()).toBe(true), shown)
    await vi.waitFor(() => expect(resolved('✓ breaker').exists()).toBe(true), shown)
    expect(resolved('✓ UPS').text()).toBe(
      'Closet, version 1, step 1: Check the UPS on battery (step 2 in the current version)',
    )
    expect(resolved('✓ breaker').text()).toBe(
      'Closet, version 1, step 2: Check the breaker (no longer in the current version)',
    )
    expect(resolved('✓ facilities').text()).toBe('Closet, version 2, step 1: Call facilities')
    expect(resolved('✓ facilities').get('a').attributes('href')).toBe(`/runbooks/closet?incident=${w.id}`)
    expect(resolved('✓ from version 9').exists()).toBe(false)
  })
})
