// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { freshApp } from '../../tests/fixtures/app'
import { runbookFetch, starterPage } from '../../tests/fixtures/runbooks'
import type { IncidentEvent } from '../domain/events'
import { useIncidentsStore } from '../stores/incidents'
import RunbookView from './RunbookView.vue'

vi.mock('virtual:runbooks', async () => ({ default: (await import('../../tests/fixtures/runbooks')).starter.manifest }))

const Stub = { render: () => h('p', 'elsewhere') }
const App = { render: () => h(RouterView) }
const page = starterPage('switch-down')

async function setup(options: { withIncident?: boolean; fetch?: ReturnType<typeof runbookFetch>; path?: string } = {}) {
  const world = await freshApp()
  const store = useIncidentsStore()
  const declared = await store.declare({ title: 'Jefferson IDF-2 switch dark', severity: 2 })
  if (!declared.ok) throw new Error(declared.reason)
  const incidentId = declared.value
  const fetch = options.fetch ?? runbookFetch()
  vi.stubGlobal('fetch', fetch)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/runbooks', component: Stub },
      { path: '/runbooks/:id(.*)', component: RunbookView, props: true },
      { path: '/incidents/:id', component: Stub },
      // Every other link the view renders (edit, history): a missing route makes Vue Router warn on each render.
      { path: '/:elsewhere(.*)*', component: Stub },
    ],
  })
  await router.push(
    options.path ??
      (options.withIncident === false ? '/runbooks/switch-down' : `/runbooks/switch-down?incident=${incidentId}`),
  )
  const wrapper = mount(App, { global: { plugins: [world.pinia, router] }, attachTo: document.body })
  mounted.push(wrapper)
  return { ...world, store, router, wrapper, incidentId, fetch }
}

async function shown(wrapper: ReturnType<typeof mount>) {
  await vi.waitFor(() => expect(wrapper.findAll('button.step-toggle').length).toBeGreaterThan(0))
}

const stepButton = (wrapper: ReturnType<typeof mount>, index: number) =>
  wrapper.get(`button.step-toggle[data-step="${index}"]`)

async function storedEvents(db: Awaited<ReturnType<typeof setup>>['db'], type: string): Promise<IncidentEvent[]> {
  return (await db.events.toArray()).map((row) => row.event).filter((e) => e.type === type)
}

/** Apps still mounted: unmounted after each test, so no late render logs once Vitest has torn the file down. */
const mounted: ReturnType<typeof mount>[] = []

afterEach(() => {
  for (const wrapper of mounted.splice(0)) if (!wrapper.vm.$.isUnmounted) wrapper.unmount()
  useIncidentsStore().stop()
  document.body.innerHTML = ''
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('RunbookView', () => {
  it('shows the title, summary, tags, updated date, a collapsed table of contents and the compiled page', async () => {
    const { wrapper } = await setup({ withIncident: false })
    await shown(wrapper)
    expect(wrapper.get('h1').text()).toBe('Switch down in a closet')
    expect(wrapper.text()).toContain(page.summary)
    expect(wrapper.get('.runbook__meta').text()).toMatch(/Updated .*2026 · 24 steps/)
    expect(wrapper.findAll('[aria-label="Tags"] a').map((a) => a.text())).toEqual(page.tags)
    const toc = wrapper.get('details.runbook-toc')
    expect(toc.attributes('open')).toBeUndefined()
    expect(toc.findAll('a').map((a) => a.attributes('href'))).toEqual(page.toc.map((h) => `#${h.id}`))
    expect(wrapper.findAll('button.step-toggle')).toHaveLength(page.steps.length)
    expect(wrapper.find('.table-scroll table').exists()).toBe(true)
  })

  it('logs a ticked step to the incident as an action entry naming the runbook and step', async () => {
    const { wrapper, db, store, incidentId } = await setup()
    await shown(wrapper)
    expect(wrapper.get('.runbook-banner').text()).toBe('Logging steps to: Jefferson IDF-2 switch dark')
    expect(wrapper.get('.runbook-banner a').attributes('href')).toBe(`/incidents/${incidentId}`)
    await stepButton(wrapper, 5).trigger('click')
    await vi.waitFor(async () => expect(await storedEvents(db, 'log.entry')).toHaveLength(1))
    const [entry] = await storedEvents(db, 'log.entry')
    expect(entry).toMatchObject({
      incidentId,
      payload: {
        kind: 'action',
        runbook: { id: 'switch-down', step: 5 },
        text: `✓ ${page.steps[5]!.text} — Switch down in a closet, step 6`,
      },
    })
    await flushPromises()
    expect(stepButton(wrapper, 5).attributes('aria-pressed')).toBe('true')
    expect(stepButton(wrapper, 5).element.closest('li.step')!.hasAttribute('data-done')).toBe(true)
    expect(stepButton(wrapper, 4).attributes('aria-pressed')).toBe('false')
    expect([...store.incident(incidentId)!.entries.values()].map((e) => e.runbook)).toEqual([
      { id: 'switch-down', step: 5, stepId: page.steps[5]!.id },
    ])
    expect(wrapper.get('.runbook__status').text()).toContain('Logged step 6')
  })

  it('shows the steps already done in the incident as ticked, from its events', async () => {
    const { store, incidentId, router, wrapper: first } = await setup()
    first.unmount()
    // Steps 0 and 3 done (one by "another phone" via the same store), step 7 done then struck, another runbook's step 1.
    for (const [id, step] of [
      ['switch-down', 0],
      ['switch-down', 3],
      ['switch-down', 7],
      ['dhcp-scope-exhausted', 1],
    ] as const) {
      const made = await store.record(incidentId, 'log.entry', {
        text: `done ${step}`,
        kind: 'action',
        runbook: { id, step },
      })
      if (!made.ok) throw new Error(made.reason)
      if (step === 7) await store.record(incidentId, 'log.amended', { entryId: made.value.id, struck: true })
    }
    const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
    await shown(wrapper)
    await flushPromises()
    const pressed = wrapper
      .findAll('button.step-toggle[aria-pressed="true"]')
      .map((b) => Number(b.attributes('data-step')))
    expect(pressed).toEqual([0, 3])
  })

  it('strikes the step’s entry when it is un-ticked (the log stays append-only)', async () => {
    const { wrapper, db, store, incidentId } = await setup()
    await shown(wrapper)
    await stepButton(wrapper, 2).trigger('click')
    await vi.waitFor(() => expect(stepButton(wrapper, 2).attributes('aria-pressed')).toBe('true'))
    await stepButton(wrapper, 2).trigger('click')
    await vi.waitFor(async () => expect(await storedEvents(db, 'log.amended')).toHaveLength(1))
    const [entry] = await storedEvents(db, 'log.entry')
    const [amended] = await storedEvents(db, 'log.amended')
    expect(amended!.payload).toMatchObject({ entryId: entry!.id, struck: true })
    await flushPromises()
    expect(stepButton(wrapper, 2).attributes('aria-pressed')).toBe('false')
    expect(store.incident(incidentId)!.entries.get(entry!.id)!.struck).toBe(true)
  })

  it('without an incident, is a plain checklist that stores nothing', async () => {
    const { wrapper, db } = await setup({ withIncident: false })
    await shown(wrapper)
    expect(wrapper.find('.runbook-banner').exists()).toBe(false)
    expect(wrapper.get('.runbook__hint').text()).toContain('open this runbook from the incident')
    await stepButton(wrapper, 1).trigger('click')
    await flushPromises()
    expect(stepButton(wrapper, 1).attributes('aria-pressed')).toBe('true')
    await stepButton(wrapper, 1).trigger('click')
    await flushPromises()
    expect(stepButton(wrapper, 1).attributes('aria-pressed')).toBe('false')
    expect(await db.events.count()).toBe(1) // only the incident.declared of the setup
  })

  it('opens links to other runbooks in the app, keeping the incident, and scrolls to headings', async () => {
    const { wrapper, router, incidentId, fetch } = await setup()
    await shown(wrapper)
    const scrolled = vi.fn()
    Element.prototype.scrollIntoView = scrolled
    const jump = wrapper.get('details.runbook-toc a[href="#a-loop"]')
    await jump.trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.hash).toBe('#a-loop')
    expect(scrolled).toHaveBeenCalled()
    expect(document.activeElement?.id).toBe('a-loop')

    const link = wrapper.get('.runbook-content a[href="/runbooks/campus-network-outage"]')
    const click = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 })
    link.element.dispatchEvent(click)
    expect(click.defaultPrevented).toBe(true)
    await vi.waitFor(() => expect(wrapper.get('h1').text()).toBe('Campus network outage'))
    expect(router.currentRoute.value.fullPath).toBe(`/runbooks/campus-network-outage?incident=${incidentId}`)
    expect(fetch.mock.calls.map(([url]) => String(url))).toContain('/runbooks/campus-network-outage.json')
    await vi.waitFor(() =>
      expect(wrapper.findAll('button.step-toggle').length).toBe(starterPage('campus-network-outage').steps.length),
    )
  })

  it('copies a code block and says so in a live region', async () => {
    const writeText = vi.fn(async () => {})
    vi.spyOn(navigator.clipboard, 'writeText').mockImplementation(writeText)
    const { wrapper } = await setup({ withIncident: false })
    await shown(wrapper)
    const block = wrapper.findAll('.code-block').find((b) => b.text().includes('show running-config'))!
    await block.get('button.copy-code').trigger('click')
    await vi.waitFor(() => expect(writeText).toHaveBeenCalledWith(block.get('pre').text()))
    await flushPromises()
    expect(block.get('button.copy-code').text()).toBe('Copied')
    expect(wrapper.get('.runbook-body > [role="status"]').text()).toBe('Copied to the clipboard.')
  })

  it('fills the commands with the parameters typed for the incident, copies and logs them, and keeps them', async () => {
    const writeText = vi.fn(async () => {})
    vi.spyOn(navigator.clipboard, 'writeText').mockImplementation(writeText)
    const { wrapper, db, incidentId, router } = await setup()
    await shown(wrapper)
    const ssh = () => wrapper.findAll('.code-block').find((b) => b.text().includes('ssh admin@'))!
    expect(ssh().get('pre').text()).toBe('ssh admin@{{switch_ip}}')
    await ssh().get('button.copy-code').trigger('click')
    await vi.waitFor(() =>
      expect(wrapper.get('.runbook-body > [role="status"]').text()).toBe('Copied, but not filled in: switch_ip.'),
    )

    expect(wrapper.get('.runbook-params summary').text()).toContain('0 of 2 filled in')
    const field = wrapper.get<HTMLInputElement>('input#runbook-param-switch_ip')
    expect(document.querySelector('label[for="runbook-param-switch_ip"]')?.textContent).toBe('switch_ip')
    await field.setValue('10.20.12.5')
    await field.trigger('change')
    expect(ssh().get('pre').text()).toBe('ssh admin@10.20.12.5')
    await ssh().get('button.copy-code').trigger('click')
    await vi.waitFor(() => expect(writeText).toHaveBeenLastCalledWith('ssh admin@10.20.12.5'))

    await stepButton(wrapper, 1).trigger('click')
    await vi.waitFor(async () => expect(await storedEvents(db, 'log.entry')).toHaveLength(1))
    const [entry] = await storedEvents(db, 'log.entry')
    expect(entry!.payload).toEqual({
      kind: 'action',
      runbook: { id: 'switch-down', step: 1, stepId: page.steps[1]!.id, parameters: { switch_ip: '10.20.12.5' } },
      text: '✓ Ping it from the district office: ping 10.20.12.5 — Switch down in a closet, step 2 (switch_ip: 10.20.12.5)',
    })

    // Kept on this phone for the incident: the page opens with them again.
    wrapper.unmount()
    await router.push('/runbooks/campus-network-outage')
    await router.push(`/runbooks/switch-down?incident=${incidentId}`)
    const again = mount(App, { global: { plugins: [router] }, attachTo: document.body })
    await shown(again)
    await vi.waitFor(() => expect(again.findAll('pre').map((p) => p.text())).toContain('ssh admin@10.20.12.5'))
    again.unmount()
  })

  it('shows the version and review dates, and marks a runbook past its review date', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(2028, 0, 15, 12))
    const { wrapper } = await setup({ withIncident: false })
    await shown(wrapper)
    const review = wrapper.get('.runbook__review').text()
    expect(review).toMatch(new RegExp(`^Version ${page.version} · Reviewed .+ · Review by .+`))
    expect(wrapper.findAll('.runbook__review time').map((t) => t.attributes('datetime'))).toEqual([
      '2026-11-24',
      '2027-11-24',
    ])
    expect(review).toContain('Not reviewed since November 2026')
    vi.useRealTimers()
  })

  it('says clearly when a runbook is not on this phone and there is no network', async () => {
    const { wrapper } = await setup({ withIncident: false, fetch: runbookFetch({ offline: ['switch-down'] }) })
    await vi.waitFor(() => expect(wrapper.find('[role="alert"].runbook__error').exists()).toBe(true))
    expect(wrapper.get('h1').text()).toBe('Switch down in a closet')
    expect(wrapper.get('.runbook__error').text()).toContain('not stored on this phone yet, and there is no network')
  })

  it('says when there is no such runbook', async () => {
    const { wrapper } = await setup({ path: '/runbooks/no-such-thing' })
    await vi.waitFor(() => expect(wrapper.find('.runbook__error').exists()).toBe(true))
    expect(wrapper.get('h1').text()).toBe('Runbook not found')
    expect(wrapper.get('.runbook__error').text()).toContain('There is no runbook “no-such-thing”')
  })
})
