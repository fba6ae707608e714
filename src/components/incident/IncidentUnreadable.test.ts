// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import IncidentUnreadable from './IncidentUnreadable.vue'

const entries = [
  { key: 'EVT1', incidentId: 'INC1', reason: 'type: Invalid type: Expected "incident.declared" but received "x"' },
  { key: 'EVT2', incidentId: 'INC1', reason: 'payload.mood: unknown' },
]

describe('events this version cannot read, in the UI', () => {
  it('shows a placeholder row per entry in its incident, in a labelled list', () => {
    const wrapper = mount(IncidentUnreadable, { props: { entries } })
    const list = wrapper.get('ul[aria-label="Entries this version cannot show"]')
    const rows = list.findAll('li')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.text()).toContain('An entry from a newer version of Command Post: update the app to see it.')
    expect(rows[1]!.text()).toContain('payload.mood: unknown')
    expect(
      mount(IncidentUnreadable, { props: { entries: [] } })
        .find('ul')
        .exists(),
    ).toBe(false)
  })
})
