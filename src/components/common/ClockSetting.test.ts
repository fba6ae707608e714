// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { useClockStore } from '../../stores/clock'
import ClockSetting from './ClockSetting.vue'

afterEach(() => localStorage.clear())

describe('ClockSetting', () => {
  it('offers the phone default, 12- and 24-hour, each with an example, and keeps the choice on this phone', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const clock = useClockStore()
    clock.locale = ['en-US']
    const wrapper = mount(ClockSetting, { global: { plugins: [pinia] } })
    expect(wrapper.find('h2').text()).toBe('Clock')
    expect(wrapper.findAll('label').map((l) => l.text())).toEqual([
      'Phone default (1:30 PM)',
      '12-hour (1:30 PM)',
      '24-hour (13:30)',
    ])
    expect((wrapper.find('input[value="phone"]').element as HTMLInputElement).checked).toBe(true)
    await wrapper.find('input[value="h23"]').setValue(true)
    expect(clock.choice).toBe('h23')
    expect(clock.at(new Date().toISOString())).toMatch(/^\d\d:\d\d/)
    expect(localStorage.getItem('command-post:clock')).toBe('h23')
    // A new start reads it back.
    setActivePinia(createPinia())
    expect(useClockStore().choice).toBe('h23')
  })
})
