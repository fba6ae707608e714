// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../tests/fixtures/app'
import { installPromptEvent } from '../../tests/fixtures/install'
import { fakeStorageManager, removeStorageManager } from '../../tests/fixtures/storage'
import { useIncidentsStore } from './incidents'
import { isIos, useInstallStore } from './install'

describe('isIos', () => {
  it('knows iPhones and iPads (which say they are Macs with touch), and nothing else', () => {
    expect(
      isIos({
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile Safari/604.1',
        maxTouchPoints: 5,
      }),
    ).toBe(true)
    expect(
      isIos({
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15',
        maxTouchPoints: 5,
        platform: 'MacIntel',
      }),
    ).toBe(true)
    expect(
      isIos({
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15',
        maxTouchPoints: 0,
        platform: 'MacIntel',
      }),
    ).toBe(false)
    expect(
      isIos({
        userAgent: 'Mozilla/5.0 (Linux; Android 15; Pixel 9) Chrome/140.0 Mobile Safari/537.36',
        maxTouchPoints: 5,
      }),
    ).toBe(false)
  })
})

describe('useInstallStore', () => {
  afterEach(() => {
    useInstallStore().stop()
    useIncidentsStore().stop()
    removeStorageManager()
    vi.restoreAllMocks()
  })

  it('keeps Chromium’s install prompt for the app’s own button and uses it once', async () => {
    await freshApp()
    const store = useInstallStore()
    store.start()
    expect(store.canInstall).toBe(false)
    const event = installPromptEvent('accepted')
    window.dispatchEvent(event)
    expect(event.defaultPrevented).toBe(true)
    expect(store.canInstall).toBe(true)
    expect(await store.install()).toBe('accepted')
    expect(event.prompt).toHaveBeenCalledTimes(1)
    expect(store.canInstall).toBe(false)
    expect(await store.install()).toBe('unavailable')
  })

  it('keeps a prompt that fired before the app started (boot waits for IndexedDB first)', async () => {
    const event = installPromptEvent('accepted')
    window.dispatchEvent(event)
    expect(event.defaultPrevented).toBe(true)
    await freshApp()
    const store = useInstallStore()
    store.start()
    expect(store.canInstall).toBe(true)
    expect(await store.install()).toBe('accepted')
    expect(event.prompt).toHaveBeenCalledTimes(1)
  })

  it('reports a dismissed prompt', async () => {
    await freshApp()
    const store = useInstallStore()
    store.start()
    window.dispatchEvent(installPromptEvent('dismissed'))
    expect(await store.install()).toBe('dismissed')
  })

  it('once installed, hides the button and asks the browser to keep the data', async () => {
    const storage = fakeStorageManager()
    await freshApp()
    const store = useInstallStore()
    store.start()
    window.dispatchEvent(installPromptEvent())
    window.dispatchEvent(new Event('appinstalled'))
    expect(store.installed).toBe(true)
    expect(store.canInstall).toBe(false)
    await vi.waitFor(() => expect(storage.persist).toHaveBeenCalledTimes(1))
  })

  it('gives iPhone users the Share → Add to Home Screen hint unless already on the home screen', async () => {
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148',
    )
    await freshApp()
    const store = useInstallStore()
    store.start()
    expect(store.showIosHint).toBe(true)
    store.stop()
    Object.defineProperty(navigator, 'standalone', { value: true, configurable: true })
    try {
      store.start()
      expect(store.standalone).toBe(true)
      expect(store.showIosHint).toBe(false)
    } finally {
      Reflect.deleteProperty(navigator, 'standalone')
    }
  })

  it('stops listening when stopped', async () => {
    await freshApp()
    const store = useInstallStore()
    store.start()
    store.stop()
    window.dispatchEvent(installPromptEvent())
    expect(store.canInstall).toBe(false)
  })
})
