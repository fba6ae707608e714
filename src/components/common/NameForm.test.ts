// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { useProfileStore } from '../../stores/profile'
import NameForm from './NameForm.vue'

describe('NameForm', () => {
  it('offers the name a join link was issued for, on a phone with no name', () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const profile = useProfileStore()
    profile.suggestName('Dana S')
    const wrapper = mount(NameForm, { global: { plugins: [pinia] } })
    expect((wrapper.find('input').element as HTMLInputElement).value).toBe('Dana S')
    wrapper.unmount()
  })

  it("shows the phone's own name, not a suggestion, once it has one", () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const profile = useProfileStore()
    profile.name = 'Lee'
    profile.suggestName('Sam')
    expect(profile.suggestedName).toBe('')
    const wrapper = mount(NameForm, { global: { plugins: [pinia] } })
    expect((wrapper.find('input').element as HTMLInputElement).value).toBe('Lee')
    wrapper.unmount()
  })
})
