import { describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useServiceWorkerControl } from './useServiceWorkerControl'

function fakeContainer(controller: object | null) {
  const listeners = new Set<() => void>()
  return {
    controller,
    addEventListener: vi.fn((_type: string, fn: () => void) => {
      listeners.add(fn)
    }),
    removeEventListener: vi.fn((_type: string, fn: () => void) => {
      listeners.delete(fn)
    }),
    fire() {
      for (const fn of listeners) fn()
    },
    listeners,
  }
}

describe('useServiceWorkerControl', () => {
  it('follows the page coming under a service worker’s control, and stops listening with its scope', () => {
    const container = fakeContainer(null)
    const scope = effectScope()
    const { isSupported, controlled } = scope.run(() =>
      useServiceWorkerControl({ container: container as unknown as ServiceWorkerContainer }),
    )!
    expect(isSupported).toBe(true)
    expect(controlled.value).toBe(false)
    container.controller = {}
    container.fire()
    expect(controlled.value).toBe(true)
    expect(container.addEventListener).toHaveBeenCalledWith('controllerchange', expect.any(Function))
    scope.stop()
    expect(container.listeners.size).toBe(0)
  })

  it('is false and unsupported without service workers', () => {
    const scope = effectScope()
    const { isSupported, controlled } = scope.run(() => useServiceWorkerControl({ container: null }))!
    expect(isSupported).toBe(false)
    expect(controlled.value).toBe(false)
    scope.stop()
  })
})
