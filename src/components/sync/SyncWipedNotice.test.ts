// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { WIPED_KEY } from '../../db/wipe'
import { useClockStore } from '../../stores/clock'
import SyncWipedNotice from './SyncWipedNotice.vue'

afterEach(() => localStorage.clear())

function mountNotice() {
  const pinia = createPinia()
  setActivePinia(pinia)
  return mount(SyncWipedNotice, { global: { plugins: [pinia] } })
}

describe('SyncWipedNotice', () => {
  it('says the phone’s data was removed by an administrator, and when, with its date and zone', () => {
    localStorage.setItem(WIPED_KEY, '2026-12-01T14:03:00.000Z')
    const wrapper = mountNotice()
    const full = useClockStore().formatter.full(Date.UTC(2026, 11, 1, 14, 3))
    expect(full).toMatch(/2026/)
    const notice = wrapper.get('[role="alert"]')
    expect(notice.attributes('aria-labelledby')).toBe('wiped-notice-heading')
    expect(notice.text()).toContain(`This phone’s data was removed by an administrator on ${full}.`)
    expect(wrapper.get('time').attributes('datetime')).toBe('2026-12-01T14:03:00.000Z')
  })

  it('is dismissed for good', async () => {
    localStorage.setItem(WIPED_KEY, '2026-12-01T14:03:00.000Z')
    const wrapper = mountNotice()
    await wrapper.get('button').trigger('click')
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(localStorage.getItem(WIPED_KEY)).toBeNull()
    expect(mountNotice().find('[role="alert"]').exists()).toBe(false)
  })

  it('still says what happened when the time is unreadable', () => {
    localStorage.setItem(WIPED_KEY, 'garbled')
    expect(mountNotice().get('[role="alert"]').text()).toContain(
      'This phone’s data was removed by an administrator. Its incidents',
    )
  })
})
