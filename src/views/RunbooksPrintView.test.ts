// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { freshApp } from '../../tests/fixtures/app'
import { runbookFetch, starter } from '../../tests/fixtures/runbooks'
import { database } from '../db/database'
import { saveRunbookCatalogue } from '../db/runbooks'
import { compileSyncedRunbook } from '../runbooks/compile-synced'
import { useIncidentsStore } from '../stores/incidents'
import RunbooksPrintView from './RunbooksPrintView.vue'

vi.mock('virtual:runbooks', async () => ({ default: (await import('../../tests/fixtures/runbooks')).starter.manifest }))

const App = { render: () => h(RouterView) }
const Stub = { render: () => h('p', 'elsewhere') }
const catalog = starter.manifest.runbooks

async function setup(path: string, fetch = runbookFetch(), before?: () => Promise<void>) {
  const world = await freshApp()
  await before?.()
  vi.stubGlobal('fetch', fetch)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/print/runbooks', component: RunbooksPrintView },
      { path: '/runbooks', component: Stub },
    ],
  })
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [world.pinia, router] }, attachTo: document.body })
  await vi.waitFor(() => expect(wrapper.find('nav.binder__toc').exists()).toBe(true))
  return wrapper
}

afterEach(() => {
  useIncidentsStore().stop()
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('RunbooksPrintView', () => {
  it('binds every runbook with a numbered contents list giving version and review date', async () => {
    const wrapper = await setup('/print/runbooks')
    expect(wrapper.get('[role="status"]').text()).toBe(`${catalog.length} runbooks ready to print`)
    const entries = wrapper.findAll('nav.binder__toc li')
    expect(entries.map((li) => li.get('a').text())).toEqual(catalog.map((r) => r.title))
    expect(entries[0]!.text()).toContain(`Version ${catalog[0]!.version}`)
    expect(entries[0]!.findAll('time').map((t) => t.attributes('datetime'))).toEqual([
      catalog[0]!.reviewed,
      catalog[0]!.reviewBy,
    ])
    const sections = wrapper.findAll('section.binder__runbook')
    expect(sections.map((s) => s.get('h2').text())).toEqual(catalog.map((r, i) => `${i + 1}. ${r.title}`))
    expect(entries[2]!.get('a').attributes('href')).toBe(`#${sections[2]!.attributes('id')}`)
    // One document: no id twice, no buttons inside the runbooks, a box per step.
    const ids = Array.from(document.querySelectorAll('[id]')).map((el) => el.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(wrapper.findAll('section.binder__runbook button')).toHaveLength(0)
    const steps = catalog.reduce((n, r) => n + r.stepCount, 0)
    expect(wrapper.findAll('section.binder__runbook .step-box')).toHaveLength(steps)
    expect(wrapper.get('button.button--primary').text()).toBe('Print')
  })

  it('binds only the runbooks of a tag, and lists the ones not on this phone', async () => {
    const tagged = catalog.filter((r) => r.tags.includes('network'))
    const wrapper = await setup('/print/runbooks?tag=network', runbookFetch({ offline: [tagged[0]!.id] }))
    expect(wrapper.get('h1').text()).toBe('Runbooks tagged “network”')
    expect(wrapper.findAll('section.binder__runbook')).toHaveLength(tagged.length - 1)
    expect(wrapper.get('[role="status"]').text()).toContain('1 not on this phone')
    expect(wrapper.get('nav.binder__toc ul').text()).toBe(tagged[0]!.title)
  })
  it('prints the version this phone shows: the published one synced from the server, else the build’s', async () => {
    const first = catalog[0]!
    const source = `# ${first.title}\n\n## Steps\n\n- [ ] Ring the quokka bell\n`
    const wrapper = await setup('/print/runbooks', runbookFetch(), async () => {
      const stored = {
        id: first.id,
        version: 3,
        ...compileSyncedRunbook(source, first.id, 3),
        storedAt: '2026-12-01T08:00:00.000Z',
      }
      const state = { serverUrl: '', etag: '"e"', published: { [first.id]: 3 }, checkedAt: '2026-12-01T08:00:00.000Z' }
      await saveRunbookCatalogue(database(), state, [stored])
    })
    await vi.waitFor(() => expect(wrapper.get('nav.binder__toc li').text()).toContain('Version 3'))
    const section = wrapper.get('section.binder__runbook')
    expect(section.text()).toContain('Ring the quokka bell')
    expect(wrapper.findAll('section.binder__runbook')).toHaveLength(catalog.length)
  })
})
