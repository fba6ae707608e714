// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { watch } from 'vue'
import { freshApp } from '../../../tests/fixtures/app'
import { FakeSyncServer, TEST_TOKEN } from '../../../tests/fixtures/sync-server'
import { useIncidentsStore } from '../../stores/incidents'
import { useSyncStore } from '../../stores/sync'
import SyncJoinPaste from './SyncJoinPaste.vue'
import SyncSettingsForm from './SyncSettingsForm.vue'
import SyncStatusPanel from './SyncStatusPanel.vue'

/** Resolves once the store's label reads `label`: waits on state, with no deadline of its own. */
function labelBecomes(sync: ReturnType<typeof useSyncStore>, label: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = watch(
      () => sync.label,
      (now) => {
        if (now !== label) return
        queueMicrotask(() => stop())
        resolve()
      },
      { immediate: true },
    )
  })
}

async function setup() {
  const { pinia } = await freshApp()
  const server = new FakeSyncServer()
  const sync = useSyncStore()
  await sync.start({ fetch: server.fetch })
  return { pinia, server, sync }
}

afterEach(() => {
  useSyncStore().stop()
  useIncidentsStore().stop()
  // The Server URL typed and not saved is a draft now: it must not leak into the next test.
  localStorage.clear()
})

// Only bounds a hang: the store's lazy import of the engine and IndexedDB work can take seconds on a busy machine.
describe('sync settings', { timeout: 60_000 }, () => {
  it('labels its fields as the contract says, and refuses a bad address beside the form, keeping what was typed', async () => {
    const { pinia, sync } = await setup()
    const wrapper = mount(SyncSettingsForm, { global: { plugins: [pinia] } })
    expect(wrapper.find('label[for="sync-server-url"]').text()).toBe('Server URL')
    expect(wrapper.find('label[for="sync-token"]').text()).toBe('Access token')
    expect(wrapper.find('button[type="submit"]').text()).toMatch(/^Save/)
    await wrapper.find('#sync-server-url').setValue('files.school.example')
    await wrapper.find('#sync-token').setValue(TEST_TOKEN)
    await wrapper.find('form').trigger('submit')
    // The address rules load with the first join (off the first screen): wait for the answer, not a tick.
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').text()).toMatch(/https:\/\//))
    expect((wrapper.find('#sync-server-url').element as HTMLInputElement).value).toBe('files.school.example')
    expect(sync.joined).toBe(false)
  })

  it('saves, syncs, shows the facts, and leaves again', async () => {
    const { pinia, sync } = await setup()
    const form = mount(SyncSettingsForm, { global: { plugins: [pinia] } })
    const panel = mount(SyncStatusPanel, { global: { plugins: [pinia] } })
    expect(panel.text()).toContain('None: this phone is Local only')
    expect(panel.find('button').exists()).toBe(false)
    await form.find('#sync-token').setValue(TEST_TOKEN)
    await form.find('form').trigger('submit')
    await labelBecomes(sync, 'Synced')
    expect(form.find('[role="status"]').text()).toContain('Saved')
    expect(panel.text()).toContain(window.location.origin)
    expect(panel.text()).toContain('Last sync')
    expect(panel.text()).toContain('just now')
    expect(panel.find('button').text()).toBe('Sync now')

    await form
      .findAll('button')
      .find((b) => b.text() === 'Leave server')!
      .trigger('click')
    await labelBecomes(sync, 'Local only')
    await flushPromises()
    expect((form.find('#sync-token').element as HTMLInputElement).value).toBe('')
    expect(form.find('[role="status"]').text()).toContain('Local only')
  })

  it('keeps a typed Server URL as a draft until it is saved, and never keeps the access token', async () => {
    const { pinia, sync } = await setup()
    const form = mount(SyncSettingsForm, { global: { plugins: [pinia] } })
    await form.find('#sync-server-url').setValue(window.location.origin)
    await form.find('#sync-token').setValue(TEST_TOKEN)
    await flushPromises()
    form.unmount()
    // "After a reload": the address is back, the token is not, and no copy of it sits in localStorage.
    const again = mount(SyncSettingsForm, { global: { plugins: [pinia] } })
    expect((again.find('#sync-server-url').element as HTMLInputElement).value).toBe(window.location.origin)
    expect((again.find('#sync-token').element as HTMLInputElement).value).toBe('')
    expect(Object.values(localStorage).join('\n')).not.toContain(TEST_TOKEN)
    await again.find('#sync-token').setValue(TEST_TOKEN)
    await again.find('form').trigger('submit')
    await labelBecomes(sync, 'Synced')
    await flushPromises()
    expect(Object.keys(localStorage).filter((k) => k.startsWith('command-post:draft:'))).toEqual([])
    again.unmount()
  })

  it('joins from a pasted link, and explains a link without a token', async () => {
    const { pinia, sync } = await setup()
    const wrapper = mount(SyncJoinPaste, { global: { plugins: [pinia] } })
    expect(wrapper.find('label').text()).toBe('Paste a join link')
    await wrapper.find('input').setValue(`${window.location.origin}/#/join`)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toMatch(/no access token/)
    await wrapper.find('input').setValue(`${window.location.origin}/#/join?token=${TEST_TOKEN}`)
    await wrapper.find('form').trigger('submit')
    await labelBecomes(sync, 'Synced')
    expect(wrapper.emitted('joined')).toHaveLength(1)
    expect(sync.serverUrl).toBe('')
  })
})
