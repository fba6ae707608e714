// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { incidentScript } from '../../tests/fixtures/incident-script'
import { incidentWorld, leaveWorld } from '../../tests/fixtures/incident-world'
import DocumentBody from './document/DocumentBody.vue'
import IncidentTimeline from './incident/IncidentTimeline.vue'

afterEach(leaveWorld)

describe('one label per concept on screen', () => {
  it('labels an observation "Seen" on its Timeline row, as the composer and the filter do', async () => {
    const w = await incidentWorld()
    await w.record('log.entry', { text: 'Smoke from rack B', kind: 'observation' })
    await w.record('task.added', { taskId: 'TASK000001', text: 'Replace the PSU', kind: 'followup' })
    const wrapper = w.mount(IncidentTimeline, { incidentId: w.id, rejected: new Map() })
    await flushPromises()
    const rows = wrapper.findAll('[aria-label="Timeline"] > li')
    const seen = rows.find((li) => li.text().includes('Smoke from rack B'))!
    expect(seen.get('.timeline__kind').text()).toBe('Seen')
    expect(wrapper.text()).not.toMatch(/observation/i)
    expect(wrapper.text()).toContain('Task (Follow-up): Replace the PSU')
    expect(wrapper.text()).not.toContain('followup')
  })
})

describe('the printed timeline', () => {
  const css = readFileSync(join(import.meta.dirname, 'document/DocumentBody.vue'), 'utf8')

  it('leaves room for three-digit numbers, so "10." and "120." keep their first digit', () => {
    const s = incidentScript()
    for (let i = 0; i < 119; i++) s.add('log.entry', { text: `Step ${i}`, kind: 'action' })
    const wrapper = mount(DocumentBody, {
      props: { incident: s.fold(), children: [], now: s.now, revision: 0, timeZone: 'UTC' },
    })
    const list = wrapper.get('ol.document__timeline')
    expect(list.findAll('li')).toHaveLength(120)
    expect(list.attributes('style')).toContain('--marker-digits: 3')
    // The list's start padding grows with the digits (marker = digits, dot, gap); 1.2rem held two at most.
    expect(css).toMatch(
      /\.document \.document__timeline \{[^}]*padding-inline-start: calc\(\(var\(--marker-digits, 1\) \+ 1\.5\) \* 1ch\)/,
    )
    expect(css).not.toMatch(/\.document ol \{[^}]*padding-left/)
  })
})
