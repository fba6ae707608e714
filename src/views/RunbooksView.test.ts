// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { freshApp, reopenApp } from '../../tests/fixtures/app'
import { runbookFetch, starter } from '../../tests/fixtures/runbooks'
import { useIncidentsStore } from '../stores/incidents'
import RunbooksView from './RunbooksView.vue'

vi.mock('virtual:runbooks', async () => ({ default: (await import('../../tests/fixtures/runbooks')).starter.manifest }))

const Stub = { render: () => h('p', 'elsewhere') }
const App = { render: () => h(RouterView) }
const catalogTitles = starter.manifest.runbooks.map((r) => r.title)

function makeRouter() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/runbooks', component: RunbooksView },
      { path: '/runbooks/:id(.*)', component: Stub },
      { path: '/incidents/:id', component: Stub },
      // Every other link the view renders (print, new runbook): a missing route makes Vue Router warn on each render.
      { path: '/:elsewhere(.*)*', component: Stub },
    ],
  })
}

async function open(pinia: Awaited<ReturnType<typeof freshApp>>['pinia'], path = '/runbooks') {
  const router = makeRouter()
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body })
  mounted.push(wrapper)
  return { wrapper, router }
}

async function setup(path?: string) {
  const world = await freshApp()
  const fetch = runbookFetch()
  vi.stubGlobal('fetch', fetch)
  return { ...world, fetch, ...(await open(world.pinia, path)) }
}

/** The stored setting, read from the test's database (the UI itself only goes through the store). */
const storedFavourites = async (db: Awaited<ReturnType<typeof freshApp>>['db']) =>
  (await db.kv.get('setting:favouriteRunbooks'))?.value

const titles = (wrapper: ReturnType<typeof mount>) => wrapper.findAll('.runbook-item__title').map((a) => a.text())

/** Apps still mounted: unmounted after each test, so no late render logs once Vitest has torn the file down. */
const mounted: ReturnType<typeof mount>[] = []

afterEach(() => {
  for (const wrapper of mounted.splice(0)) if (!wrapper.vm.$.isUnmounted) wrapper.unmount()
  useIncidentsStore().stop()
  document.body.innerHTML = ''
  Reflect.deleteProperty(navigator, 'serviceWorker')
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('RunbooksView', () => {
  it('has a search field labelled "Search runbooks" that loads the index on focus and answers as you type', async () => {
    const { wrapper, fetch } = await setup()
    const input = wrapper.get('input[type="search"]')
    expect(wrapper.get(`label[for="${input.attributes('id')}"]`).text()).toBe('Search runbooks')
    expect(wrapper.get('form').attributes('role')).toBe('search')
    expect(titles(wrapper)).toEqual(catalogTitles)

    await input.trigger('focus')
    await vi.waitFor(() =>
      expect(fetch.mock.calls.map(([url]) => String(url))).toContain(`/${starter.manifest.searchIndex}`),
    )

    await input.setValue('dhcp')
    await vi.waitFor(() => expect(wrapper.find('ul[aria-label="Search results"]').exists()).toBe(true))
    expect(titles(wrapper)[0]).toBe('DHCP scope exhausted')
    expect(wrapper.get('#runbook-search-status').text()).toMatch(/runbooks? match “dhcp”/)
    expect(wrapper.get('#runbook-search-status').attributes('role')).toBe('status')

    await input.setValue('xylophonequartz')
    await vi.waitFor(() =>
      expect(wrapper.get('#runbook-search-status').text()).toBe('No runbook matches “xylophonequartz”'),
    )
    expect(titles(wrapper)).toEqual([])

    await input.setValue('')
    await vi.waitFor(() => expect(titles(wrapper)).toEqual(catalogTitles))
  })

  it('pins favourites first, with a pressed star, and keeps them after a reload', async () => {
    const { wrapper, db, dbName } = await setup()
    const star = wrapper.get('button[aria-label="Favourite Wi-Fi authentication failing"]')
    expect(star.attributes('aria-pressed')).toBe('false')
    await star.trigger('click')
    await vi.waitFor(() => expect(titles(wrapper)[0]).toBe('Wi-Fi authentication failing'))
    expect(wrapper.get('button[aria-label="Favourite Wi-Fi authentication failing"]').attributes('aria-pressed')).toBe(
      'true',
    )
    await wrapper.get('button[aria-label="Favourite DHCP scope exhausted"]').trigger('click')
    await vi.waitFor(async () =>
      expect(await storedFavourites(db)).toEqual(['wifi-auth-failing', 'dhcp-scope-exhausted']),
    )
    // Pinned in catalog order; the rest follow in catalog order.
    expect(titles(wrapper).slice(0, 3)).toEqual([
      'DHCP scope exhausted',
      'Wi-Fi authentication failing',
      'Campus network outage',
    ])
    wrapper.unmount()

    const again = await reopenApp(dbName)
    const { wrapper: reopened } = await open(again.pinia)
    await vi.waitFor(() =>
      expect(titles(reopened).slice(0, 2)).toEqual(['DHCP scope exhausted', 'Wi-Fi authentication failing']),
    )
    expect(reopened.get('button[aria-label="Favourite DHCP scope exhausted"]').attributes('aria-pressed')).toBe('true')

    await reopened.get('button[aria-label="Favourite DHCP scope exhausted"]').trigger('click')
    await vi.waitFor(async () => expect(await storedFavourites(again.db)).toEqual(['wifi-auth-failing']))
    expect(titles(reopened)[0]).toBe('Wi-Fi authentication failing')
  })

  it('filters by a tapped tag, and clears the filter', async () => {
    const { wrapper, router } = await setup()
    const tagged = starter.manifest.runbooks.filter((r) => r.tags.includes('network')).map((r) => r.title)
    expect(tagged.length).toBeGreaterThan(1)
    expect(tagged.length).toBeLessThan(catalogTitles.length)
    await wrapper
      .findAll('.runbook-tag')
      .find((b) => b.text() === 'network')!
      .trigger('click')
    await vi.waitFor(() => expect(titles(wrapper)).toEqual(tagged))
    expect(router.currentRoute.value.query.tag).toBe('network')
    expect(wrapper.findAll('.runbook-tag[aria-pressed="true"]').every((b) => b.text() === 'network')).toBe(true)
    await wrapper.get('button.runbooks__clear').trigger('click')
    await vi.waitFor(() => expect(titles(wrapper)).toEqual(catalogTitles))
  })

  it('in "pick for an incident" mode, names the incident and opens runbooks with it', async () => {
    const world = await freshApp()
    vi.stubGlobal('fetch', runbookFetch())
    const declared = await useIncidentsStore().declare({ title: 'Wi-Fi down at Lincoln Elementary', severity: 2 })
    if (!declared.ok) throw new Error(declared.reason)
    const { wrapper } = await open(world.pinia, `/runbooks?incident=${declared.value}`)
    expect(wrapper.get('.runbook-banner').text()).toBe('Pick a runbook for: Wi-Fi down at Lincoln Elementary')
    expect(wrapper.get('.runbook-banner a').attributes('href')).toBe(`/incidents/${declared.value}`)
    const link = wrapper.findAll('.runbook-item__title').find((a) => a.text() === 'Wi-Fi authentication failing')!
    expect(link.attributes('href')).toBe(`/runbooks/wifi-auth-failing?incident=${declared.value}`)
  })

  it('claims "available offline" only while a service worker controls the page', async () => {
    const { wrapper } = await setup()
    const note = () => wrapper.get('.runbook-offline').text()
    expect(note()).toMatch(/^Runbooks · updated .*2026$/)
    expect(note()).not.toContain('offline')
    expect(wrapper.get('.runbook-offline time').attributes('datetime')).toBe('2026-11-24')
    wrapper.unmount()

    const listeners: Array<() => void> = []
    const container = {
      controller: null as object | null,
      addEventListener: (_: string, fn: () => void) => listeners.push(fn),
      removeEventListener: vi.fn(),
    }
    Object.defineProperty(navigator, 'serviceWorker', { configurable: true, value: container })
    const { wrapper: second } = await open((await freshApp()).pinia)
    expect(second.get('.runbook-offline').text()).toMatch(/^Runbooks · updated/)
    container.controller = {}
    for (const fn of listeners) fn()
    await vi.waitFor(() =>
      expect(second.get('.runbook-offline').text()).toMatch(/^✓ Runbooks available offline · updated .*2026$/),
    )
  })
})

describe('RunbooksView counts', () => {
  it('says "1 runbook matches" for one result and "N runbooks match" for more (plural rules)', async () => {
    const { wrapper } = await setup()
    const input = wrapper.get('input[type="search"]')
    await input.trigger('focus')
    // Try words until one finds a single runbook: the fixture's index decides which.
    const answers: Record<number, string> = {}
    for (const word of ['paging', 'bells', 'compromise', 'radius', 'exhausted', 'quick']) {
      await input.setValue(word)
      await vi.waitFor(() => expect(wrapper.get('#runbook-search-status').text()).toContain(`“${word}”`))
      answers[titles(wrapper).length] ??= wrapper.get('#runbook-search-status').text()
    }
    expect(answers[1], 'some word finds exactly one runbook').toBeDefined()
    expect(answers[1]).toMatch(/^1 runbook matches “\w+”$/)
    for (const [n, text] of Object.entries(answers))
      if (Number(n) > 1) expect(text).toMatch(new RegExp(`^${n} runbooks match “\\w+”$`))
  })

  it('marks runbooks past their review date, and offers the printed binder', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(2027, 10, 23, 12)) // the day before the starters' review date
    const first = await setup()
    expect(first.wrapper.findAll('.runbook-item__stale')).toHaveLength(0)
    expect(first.wrapper.get('a.runbooks__print').text()).toBe('Print all runbooks')
    expect(first.wrapper.get('a.runbooks__print').attributes('href')).toBe('/print/runbooks')
    first.wrapper.unmount()

    vi.setSystemTime(new Date(2027, 10, 24, 8)) // 12 months after their `updated`, 2026-11-24
    const { wrapper } = await open(first.pinia, '/runbooks?tag=network')
    const stale = wrapper.findAll('.runbook-item__stale').map((p) => p.text())
    expect(stale.length).toBe(wrapper.findAll('.runbook-item').length)
    expect(stale[0]).toMatch(/Not reviewed since November 2026/)
    expect(wrapper.get('a.runbooks__print').text()).toBe('Print runbooks tagged network')
    expect(wrapper.get('a.runbooks__print').attributes('href')).toBe('/print/runbooks?tag=network')
    vi.useRealTimers()
  })
})
