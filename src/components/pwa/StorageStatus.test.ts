// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../../tests/fixtures/app'
import { fakeStorageManager, removeStorageManager } from '../../../tests/fixtures/storage'
import { useIncidentsStore } from '../../stores/incidents'
import StorageStatus from './StorageStatus.vue'

async function setup() {
  const { pinia, db } = await freshApp()
  const wrapper = mount(StorageStatus, { global: { plugins: [pinia] } })
  // refresh() reads IndexedDB (timers in fake-indexeddb), then the StorageManager.
  await vi.waitFor(() => expect(wrapper.text()).not.toContain('Checking…'))
  await flushPromises()
  return { wrapper, db }
}

afterEach(() => {
  useIncidentsStore().stop()
  removeStorageManager()
})

describe('StorageStatus', () => {
  it('says the data is not persistent, how much is used, and offers to keep it', async () => {
    const storage = fakeStorageManager({ persisted: false, usage: 1_234_567, quota: 2_000_000_000 })
    const { wrapper } = await setup()
    expect(wrapper.get('h2').text()).toBe('Storage on this phone')
    expect(wrapper.get('[role="status"]').text()).toContain('Not persistent')
    expect(wrapper.text()).toContain('Using 1.2 MB of 2.0 GB (under 1\u00a0%).')
    await wrapper.get('button').trigger('click')
    await vi.waitFor(() => expect(wrapper.get('[role="status"]').text()).toContain('Persistent:'))
    expect(storage.persist).toHaveBeenCalledTimes(1)
    expect(wrapper.find('button').exists()).toBe(false)
    expect(wrapper.get('[role="alert"]').text()).toBe('')
  })

  it('explains a refusal beside the button', async () => {
    fakeStorageManager({ persisted: false, grant: false })
    const { wrapper } = await setup()
    await wrapper.get('button').trigger('click')
    await vi.waitFor(() => expect(wrapper.get('[role="alert"]').text()).toContain('The browser said no'))
  })

  it('shows a persistent store with its share of the quota', async () => {
    fakeStorageManager({ persisted: true, usage: 300_000_000, quota: 1_000_000_000 })
    const { wrapper } = await setup()
    expect(wrapper.get('[role="status"]').text()).toContain('Persistent:')
    expect(wrapper.text()).toContain('Using 300 MB of 1.0 GB (30\u00a0%).')
    expect(wrapper.find('button').exists()).toBe(false)
  })

  it('says so where the browser cannot tell', async () => {
    const { wrapper } = await setup()
    expect(wrapper.text()).toContain('does not say whether it keeps')
  })
})
