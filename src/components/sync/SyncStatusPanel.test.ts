// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { useIncidentsStore } from '../../stores/incidents'
import SyncStatusPanel from './SyncStatusPanel.vue'

const entries = [
  { key: 'EVT1', incidentId: 'INC1', reason: 'type: unknown' },
  { key: 'EVT2', incidentId: null, reason: 'id: missing' },
]

describe('SyncStatusPanel', () => {
  it('counts them in Settings: "2 entries need a newer version of Command Post"', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const wrapper = mount(SyncStatusPanel, { global: { plugins: [pinia] } })
    expect(wrapper.find('[data-test="unreadable"]').exists()).toBe(false)
    useIncidentsStore().unreadable = entries
    await wrapper.vm.$nextTick()
    expect(wrapper.get('[data-test="unreadable"]').text()).toMatch(/^2 entries need a newer version of Command Post\./)
  })
})
