// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { freshApp } from '../../../tests/fixtures/app'
import { starter } from '../../../tests/fixtures/runbooks'
import { useIncident } from '../../composables/useIncident'
import { useIncidentsStore } from '../../stores/incidents'
import IncidentRunbooks from './IncidentRunbooks.vue'

vi.mock('virtual:runbooks', async () => ({ default: (await import('../../../tests/fixtures/runbooks')).starter.manifest }))

const stepCount = (id: string) => starter.manifest.runbooks.find((r) => r.id === id)!.stepCount

async function setup() {
  const { pinia } = await freshApp()
  const store = useIncidentsStore()
  const declared = await store.declare({ title: 'Core switch down', severity: 2 })
  if (!declared.ok) throw new Error(declared.reason)
  const incidentId = declared.value
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:path(.*)*', component: { render: () => null } }] })
  await router.push(`/incidents/${incidentId}`)
  // As IncidentView passes it: the incident state from useIncident.
  const Host = defineComponent({
    setup() {
      const incident = useIncident({ id: incidentId })
      return () => (incident.value ? h(IncidentRunbooks, { incident: incident.value }) : null)
    },
  })
  const wrapper = mount(Host, { global: { plugins: [pinia, router] } })
  const tick = async (id: string, step: number) => {
    const made = await store.record(incidentId, 'log.entry', { text: `✓ ${id} ${step}`, kind: 'action', runbook: { id, step } })
    if (!made.ok) throw new Error(made.reason)
    return made.value
  }
  return { wrapper, store, router, incidentId, tick }
}

afterEach(() => {
  useIncidentsStore().stop()
})

describe('IncidentRunbooks', () => {
  it('offers "Use a runbook", which opens the runbooks list for this incident', async () => {
    const { wrapper, router, incidentId } = await setup()
    expect(wrapper.find('ul').exists()).toBe(false)
    await wrapper.get('button').trigger('click')
    await flushPromises()
    expect(wrapper.get('button').text()).toBe('Use a runbook')
    expect(router.currentRoute.value.fullPath).toBe(`/runbooks?incident=${incidentId}`)
  })

  it('lists the runbooks used with "n of m steps done" and a link to continue, live as steps are logged or struck', async () => {
    const { wrapper, store, incidentId, tick } = await setup()
    await tick('switch-down', 0)
    const struck = await tick('switch-down', 4)
    await tick('dhcp-scope-exhausted', 2)
    await flushPromises()
    const items = () => wrapper.findAll('ul[aria-label="Runbooks used in this incident"] a')
    expect(items().map((a) => [a.get('.incident-runbooks__title').text(), a.get('.incident-runbooks__count').text()])).toEqual([
      ['DHCP scope exhausted', `1 of ${stepCount('dhcp-scope-exhausted')} steps done`],
      ['Switch down in a closet', `2 of ${stepCount('switch-down')} steps done`],
    ])
    expect(items()[1]!.attributes('href')).toBe(`/runbooks/switch-down?incident=${incidentId}`)
    expect(items()[1]!.text()).toContain('Continue')

    await store.record(incidentId, 'log.amended', { entryId: struck.id, struck: true })
    await tick('switch-down', 1)
    await flushPromises()
    expect(items()[0]!.text()).toContain(`Switch down in a closet2 of ${stepCount('switch-down')} steps done`)
  })

  it('still lists a runbook this version of the app does not have, by id', async () => {
    const { wrapper, tick } = await setup()
    await tick('retired/old-runbook', 3)
    await flushPromises()
    expect(wrapper.get('.incident-runbooks__title').text()).toBe('retired/old-runbook')
    expect(wrapper.get('.incident-runbooks__count').text()).toBe('1 step done')
  })
})
