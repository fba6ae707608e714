// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { freshApp } from '../../../tests/fixtures/app'
import { starter } from '../../../tests/fixtures/runbooks'
import { useIncident } from '../../composables/useIncident'
import { saveRunbookCatalogue } from '../../db/runbooks'
import { compileSyncedRunbook } from '../../runbooks/compile-synced'
import { useIncidentsStore } from '../../stores/incidents'
import IncidentRunbooks from './IncidentRunbooks.vue'

vi.mock('virtual:runbooks', async () => ({
  default: (await import('../../../tests/fixtures/runbooks')).starter.manifest,
}))

const stepCount = (id: string) => starter.manifest.runbooks.find((r) => r.id === id)!.stepCount

async function setup() {
  const { pinia, db } = await freshApp()
  const store = useIncidentsStore()
  const declared = await store.declare({ title: 'Core switch down', severity: 2 })
  if (!declared.ok) throw new Error(declared.reason)
  const incidentId = declared.value
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:path(.*)*', component: { render: () => null } }],
  })
  await router.push(`/incidents/${incidentId}`)
  // As IncidentView passes it: the incident state from useIncident.
  const Host = defineComponent({
    setup() {
      const incident = useIncident({ id: incidentId })
      return () => (incident.value ? h(IncidentRunbooks, { incident: incident.value }) : null)
    },
  })
  const wrapper = mount(Host, { global: { plugins: [pinia, router] } })
  const tick = async (id: string, step: number, ref: { version?: number; stepId?: string } = {}) => {
    const made = await store.record(incidentId, 'log.entry', {
      text: `✓ ${id} ${step}`,
      kind: 'action',
      runbook: { id, step, ...ref },
    })
    if (!made.ok) throw new Error(made.reason)
    return made.value
  }
  return { wrapper, store, router, incidentId, tick, db }
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
    expect(
      items().map((a) => [a.get('.incident-runbooks__title').text(), a.get('.incident-runbooks__count').text()]),
    ).toEqual([
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

  it('counts "n of m" by step id in the published version: a step moved is one step, a step removed none', async () => {
    const { wrapper, tick, db } = await setup()
    const v1 = '# Closet\n\n## Power\n\n- [ ] Check the UPS\n- [ ] Check the breaker\n'
    const v2 = '# Closet\n\n## Power\n\n- [ ] Call facilities\n- [ ] Check the UPS\n'
    const rows = [v1, v2].map((source, i) => ({
      id: 'closet',
      version: i + 1,
      ...compileSyncedRunbook(source, 'closet', i + 1),
      storedAt: '2026-12-01T08:00:00.000Z',
    }))
    expect(rows[1]!.page.steps.map((s) => s.id)).toEqual(['power/call-facilities', 'power/check-the-ups'])
    await saveRunbookCatalogue(db, { serverUrl: '', etag: '"e"', published: { closet: 2 }, checkedAt: 'now' }, rows)
    // The UPS check ticked in version 1 (position 0) and again in version 2 (position 1); the breaker, gone in 2, in 1.
    await tick('closet', 0, { version: 1, stepId: 'power/check-the-ups' })
    await tick('closet', 1, { version: 2, stepId: 'power/check-the-ups' })
    await tick('closet', 1, { version: 1, stepId: 'power/check-the-breaker' })
    await vi.waitFor(() => expect(wrapper.get('.incident-runbooks__count').text()).toBe('1 of 2 steps done'))
  })
})
