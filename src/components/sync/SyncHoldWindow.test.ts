// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../../tests/fixtures/app'
import { readSetting } from '../../db/settings'
import { useIncidentsStore } from '../../stores/incidents'
import { useSyncStore } from '../../stores/sync'
import SyncHoldWindow from './SyncHoldWindow.vue'

afterEach(() => {
  useSyncStore().stop()
  useIncidentsStore().stop()
})

async function setup() {
  const { pinia, db } = await freshApp()
  const wrapper = mount(SyncHoldWindow, { global: { plugins: [pinia] } })
  const box = () => wrapper.find('#sync-hold-resolved-days').element as HTMLInputElement
  // The saved window is read on mount (the database code loads first).
  await vi.waitFor(() => expect(box().value).toBe('30'))
  return { wrapper, db, box }
}

// Only bounds a hang: IndexedDB work can take seconds on a busy machine.
describe('Settings: how long resolved incidents stay on this phone', { timeout: 60_000 }, () => {
  it('is labelled, shows the saved window, and saves a whole number of days', async () => {
    const { wrapper, db } = await setup()
    expect(wrapper.find('label[for="sync-hold-resolved-days"]').text()).toBe(
      'Keep resolved incidents on this phone for (days)',
    )
    await wrapper.find('#sync-hold-resolved-days').setValue('90')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.find('[role="status"]').text()).toMatch(/^Saved\. .* last 90 days/))
    expect(await readSetting(db, 'holdResolvedDays')).toBe(90)
    expect(useSyncStore().holdResolvedDays).toBe(90)
    expect(wrapper.find('[role="alert"]').text()).toBe('')
  })

  it.each(['0', '2.5', '3651', '-4', ''])(
    'refuses “%s” with a message naming the field, and changes nothing',
    async (typed) => {
      const { wrapper, db, box } = await setup()
      await wrapper.find('#sync-hold-resolved-days').setValue(typed)
      await wrapper.find('form').trigger('submit')
      const alert = wrapper.find('[role="alert"]')
      await vi.waitFor(() =>
        expect(alert.text()).toMatch(
          /^“Keep resolved incidents on this phone for” takes a whole number of days from 1 to 3650/,
        ),
      )
      expect(box().getAttribute('aria-invalid')).toBe('true')
      expect(await readSetting(db, 'holdResolvedDays')).toBe(30)
      expect(useSyncStore().holdResolvedDays).toBe(30)
      expect(wrapper.find('[role="status"]').text()).toBe('')
    },
  )
})
