// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { h } from 'vue'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { freshApp } from '../../tests/fixtures/app'
import { useIncidentsStore } from '../stores/incidents'
import { NEW_RUNBOOK_KEY, useRunbookEditorStore } from '../stores/runbook-editor'
import { useSyncStore } from '../stores/sync'
import RunbookEditView from './RunbookEditView.vue'

vi.mock('virtual:runbooks', async () => ({ default: (await import('../../tests/fixtures/runbooks')).starter.manifest }))

const App = { render: () => h(RouterView) }

/** The editor on a joined phone whose server cannot be reached (offline). */
async function setup(path = '/new/runbook') {
  const world = await freshApp()
  useSyncStore().token = 'token-a'
  const store = useRunbookEditorStore()
  store.useFetch(() => Promise.reject(new TypeError('Failed to fetch')))
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/new/runbook', component: RunbookEditView },
      { path: '/edit/runbooks/:id(.*)', component: RunbookEditView, props: true },
      { path: '/:any(.*)', component: { render: () => null } },
    ],
  })
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [world.pinia, router] }, attachTo: document.body })
  const source = async () => {
    await vi.waitFor(() => expect(wrapper.find('textarea').exists()).toBe(true))
    return wrapper.find('textarea')
  }
  return { ...world, store, wrapper, source }
}

afterEach(() => {
  useIncidentsStore().stop()
  document.body.innerHTML = ''
})

describe('RunbookEditView', () => {
  it('starts a new runbook from a template and keeps what is typed as a draft (written on blur)', async () => {
    const { wrapper, store, source } = await setup()
    const area = await source()
    expect((area.element as HTMLTextAreaElement).value).toContain('## Steps')
    await wrapper.find('#runbook-new-id').setValue('wifi/guest')
    await area.setValue('# Guest Wi-Fi\n\n- [ ] Restart the controller\n')
    await area.trigger('blur')
    await vi.waitFor(async () =>
      expect((await store.openDraft(NEW_RUNBOOK_KEY)).draft).toMatchObject({
        runbookId: 'wifi/guest',
        source: '# Guest Wi-Fi\n\n- [ ] Restart the controller\n',
        baseVersion: null,
      }),
    )
    await vi.waitFor(() => expect(wrapper.text()).toContain('Draft saved on this phone.'))
  })

  it('inserts a task-list step at the cursor from the toolbar', async () => {
    const { wrapper, source } = await setup()
    const area = await source()
    await area.setValue('# T\nSecond')
    const el = area.element as HTMLTextAreaElement
    el.setSelectionRange(4, 4)
    await wrapper.get('button[aria-label="Insert step"]').trigger('click')
    expect(el.value).toBe('# T\n- [ ] Step\nSecond')
  })

  it('shows the compiler’s errors beside the text and refuses to propose while there are any', async () => {
    const { wrapper, source } = await setup()
    const area = await source()
    await wrapper.find('#runbook-new-id').setValue('printers')
    await area.setValue(
      '---\nparameters:\n  campus: The school\n---\n# Printers\n\nAt {{campus}} run `lpstat -p {{printer}}`\n\nSee backup.sh\n',
    )
    await vi.waitFor(() => expect(wrapper.text()).toMatch(/Error: parameter \{\{printer\}\} is used but not declared/))
    // A bare name that looks like a domain is a warning, not linked.
    expect(wrapper.text()).toMatch(/Warning: .*backup\.sh.*not linked/)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toMatch(/^Not proposed: .*printer.*your draft is kept/)
  })

  it('renders the preview with the build’s sanitiser: no script survives', async () => {
    const { wrapper, source } = await setup()
    const area = await source()
    await area.setValue('# Hostile\n\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n')
    await wrapper.get('button[aria-pressed]').trigger('click')
    await vi.waitFor(() => expect(wrapper.find('.runbook-content').exists()).toBe(true))
    await vi.waitFor(() => expect(wrapper.find('.runbook-content').text()).toContain('<script>'))
    expect(wrapper.find('.runbook-content script').exists()).toBe(false)
    expect(wrapper.find('.runbook-content').html()).not.toContain('onerror')
  })

  it('queues a proposal while offline and says so; the draft stays', async () => {
    const { wrapper, store, source } = await setup()
    const area = await source()
    await wrapper.find('#runbook-new-id').setValue('wifi/guest')
    await area.setValue('# Guest Wi-Fi\n')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.text()).toContain('Queued — will be proposed when online.'))
    expect((await store.openDraft(NEW_RUNBOOK_KEY)).draft?.source).toBe('# Guest Wi-Fi\n')
  })

  it('discards the draft only after a confirmation', async () => {
    const { wrapper, store, source } = await setup()
    const area = await source()
    await area.setValue('typed')
    await area.trigger('blur')
    await vi.waitFor(() => expect(wrapper.text()).toContain('Discard draft'))
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Discard draft')!
      .trigger('click')
    expect((await store.openDraft(NEW_RUNBOOK_KEY)).draft?.source).toBe('typed')
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Discard for good')!
      .trigger('click')
    await vi.waitFor(async () => expect((await store.openDraft(NEW_RUNBOOK_KEY)).draft).toBeNull())
    await vi.waitFor(() =>
      expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toContain('## Steps'),
    )
  })

  it('says the source must be fetched once online when a runbook was never opened with a connection', async () => {
    const { wrapper } = await setup('/edit/runbooks/switch-down')
    await vi.waitFor(() => expect(wrapper.get('[role="alert"]').text()).toContain('Open the editor once with'))
    expect(wrapper.find('textarea').exists()).toBe(false)
  })
})
