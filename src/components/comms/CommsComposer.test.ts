// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { nextTick } from 'vue'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import { useClockStore } from '../../stores/clock'
import CommsPanel from './CommsPanel.vue'

const MIN = 60_000
const START = Date.UTC(2026, 10, 24, 23, 18)

afterEach(() => {
  leaveWorld()
  vi.useRealTimers()
})

/** An incident at START (only Date faked), times shown in UTC, and the Updates panel mounted on it. */
async function composer(options: Parameters<typeof incidentWorld>[0] = {}) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(START)
  const w = await incidentWorld(options)
  const clock = useClockStore()
  clock.timeZone = 'UTC'
  /** How the panel writes the time `minutes` after START. */
  const at = (minutes: number) => clock.at(new Date(START + minutes * MIN).toISOString())
  return { w, at, wrapper: w.mount(CommsPanel, { incidentId: w.id }) }
}

function bodyOf(wrapper: ReturnType<Awaited<ReturnType<typeof incidentWorld>>['mount']>, id: string): string {
  return (wrapper.find(`#update-body-${id}`).element as HTMLTextAreaElement).value
}

describe('the update draft follows the form', () => {
  it('posts with "Next update in" 1 min: the text and the card both say 1 min out', async () => {
    const { w, at, wrapper } = await composer()
    await wrapper.find(`#update-next-${w.id}`).setValue(1)
    await wrapper.find('form.composer').trigger('submit')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.updates).toHaveLength(1))
    const posted = w.store.incident(w.id)!.updates[0]!
    expect(posted.nextDueMinutes).toBe(1)
    const oneMinuteOut = at(1)
    expect(posted.body).toContain(`Next update by ${oneMinuteOut}.`)
    expect(posted.body).not.toContain(at(30))
    await flushPromises()
    expect(wrapper.find('[aria-label="Posted updates"]').text()).toContain('next in 1 min')
  })

  it('counts the next-update time from the moment of posting, not from when the draft was made', async () => {
    const { w, at, wrapper } = await composer()
    await wrapper.find(`#update-next-${w.id}`).setValue(15)
    vi.setSystemTime(START + 7 * MIN) // the person took seven minutes over it
    await wrapper.find('form.composer').trigger('submit')
    await vi.waitFor(() => expect(w.store.incident(w.id)!.updates).toHaveLength(1))
    expect(w.store.incident(w.id)!.updates[0]!.body).toContain(`Next update by ${at(22)}.`)
  })

  it('changing the minutes, the audience or the status updates the generated lines, never the typed ones', async () => {
    const { w, at, wrapper } = await composer({ summary: 'No network in building B' })
    const lines = bodyOf(wrapper, w.id).split('\n')
    expect(lines[3]).toBe(`Next update by ${at(30)}.`)
    // The person rewrites the Affected line and adds one of their own.
    lines[1] = 'Affected: building B only'
    await wrapper.find(`#update-body-${w.id}`).setValue([...lines, 'Help desk: 555-0100.'].join('\n'))

    await wrapper.find(`#update-next-${w.id}`).setValue(10)
    await wrapper.find(`#update-audience-${w.id}`).setValue('Principals')
    await w.record('incident.status', { status: 'mitigated' })
    await flushPromises()
    await nextTick()
    expect(bodyOf(wrapper, w.id).split('\n')).toEqual([
      'Update for Principals: Core switch down — Mitigated.',
      'Affected: building B only',
      'What we are doing: A workaround is in place; we are fixing the cause.',
      `Next update by ${at(10)}.`,
      'Help desk: 555-0100.',
    ])
  })

  it('keeps the typed draft and its generated lines across a reload', async () => {
    const c = await composer()
    const { w, at } = c
    let wrapper = c.wrapper
    await wrapper.find(`#update-body-${w.id}`).setValue(`${bodyOf(wrapper, w.id)}\nMy own line.`)
    wrapper.unmount()
    vi.setSystemTime(START + 5 * MIN)
    wrapper = w.mount(CommsPanel, { incidentId: w.id })
    expect(bodyOf(wrapper, w.id)).toContain('My own line.')
    // The time line is still known as generated: it follows the minutes chosen after the reload.
    await wrapper.find(`#update-next-${w.id}`).setValue(2)
    await nextTick()
    expect(bodyOf(wrapper, w.id)).toContain(`Next update by ${at(7)}.`)
    expect(bodyOf(wrapper, w.id)).toContain('My own line.')
  })
})
