// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../../tests/fixtures/app'
import { installPromptEvent } from '../../../tests/fixtures/install'
import { useIncidentsStore } from '../../stores/incidents'
import { useInstallStore } from '../../stores/install'
import InstallButton from './InstallButton.vue'

async function setup(props: { showInstalled?: boolean } = {}) {
  const { pinia } = await freshApp()
  useInstallStore().start()
  const wrapper = mount(InstallButton, { props, global: { plugins: [pinia] } })
  return { wrapper }
}

afterEach(() => {
  useInstallStore().stop()
  useIncidentsStore().stop()
  vi.restoreAllMocks()
})

describe('InstallButton', () => {
  it('shows nothing where the browser offers no install and this is not iOS', async () => {
    const { wrapper } = await setup()
    expect(wrapper.html()).not.toContain('Install app')
    expect(wrapper.find('.install-app').exists()).toBe(false)
  })

  it('offers "Install app" once the browser allows it, and opens the browser’s dialog', async () => {
    const { wrapper } = await setup()
    const event = installPromptEvent('accepted')
    window.dispatchEvent(event)
    await flushPromises()
    const button = wrapper.get('button')
    expect(button.text()).toBe('Install app')
    // The icon is decoration: hidden from screen readers, so the accessible name is the text alone.
    expect(button.get('svg').attributes('aria-hidden')).toBe('true')
    await button.trigger('click')
    await flushPromises()
    expect(event.prompt).toHaveBeenCalledTimes(1)
    expect(wrapper.find('button').exists()).toBe(false)
  })

  it('says where to install from when the responder says no', async () => {
    const { wrapper } = await setup()
    window.dispatchEvent(installPromptEvent('dismissed'))
    await flushPromises()
    await wrapper.get('button').trigger('click')
    await flushPromises()
    expect(wrapper.get('[role="status"]').text()).toContain('install it later')
  })

  it('tells iPhone users to use Share → Add to Home Screen instead of a button', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148',
    )
    const { wrapper } = await setup()
    expect(wrapper.find('button').exists()).toBe(false)
    expect(wrapper.text()).toBe('To install: tap Share, then Add to Home Screen.')
  })

  it('in Settings, says it is installed when running from the home screen', async () => {
    Object.defineProperty(navigator, 'standalone', { value: true, configurable: true })
    try {
      const { wrapper } = await setup({ showInstalled: true })
      expect(wrapper.text()).toContain('Installed')
      expect(wrapper.find('button').exists()).toBe(false)
    } finally {
      Reflect.deleteProperty(navigator, 'standalone')
    }
  })
})
