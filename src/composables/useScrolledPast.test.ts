// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { useScrolledPast } from './useScrolledPast'

type Callback = (entries: Partial<IntersectionObserverEntry>[]) => void

/** An IntersectionObserver the test drives: it records what it observes and the options. */
class FakeObserver {
  static last: FakeObserver | undefined
  observed: Element[] = []
  disconnected = false
  constructor(
    readonly callback: Callback,
    readonly options: IntersectionObserverInit,
  ) {
    FakeObserver.last = this
  }
  observe(el: Element): void {
    this.observed.push(el)
  }
  disconnect(): void {
    this.disconnected = true
  }
}

afterEach(() => {
  vi.unstubAllGlobals()
  FakeObserver.last = undefined
})

describe('useScrolledPast', () => {
  it('is past only when the target has gone above the top line, and stops observing with its scope', async () => {
    vi.stubGlobal('IntersectionObserver', FakeObserver)
    const target = ref<Element | null>(document.createElement('div'))
    const scope = effectScope()
    const { past } = scope.run(() => useScrolledPast({ target, topOffset: 50 }))!
    await nextTick()
    const observer = FakeObserver.last!
    expect(observer.observed).toEqual([target.value])
    expect(observer.options.rootMargin).toBe('-50px 0px 0px 0px')
    const rootBounds = { top: 50 } as DOMRectReadOnly
    observer.callback([{ isIntersecting: false, boundingClientRect: { top: 20 } as DOMRectReadOnly, rootBounds }])
    expect(past.value).toBe(true)
    observer.callback([{ isIntersecting: true, boundingClientRect: { top: 80 } as DOMRectReadOnly, rootBounds }])
    expect(past.value).toBe(false)
    // Below the fold is out of view too, but not "past".
    observer.callback([{ isIntersecting: false, boundingClientRect: { top: 900 } as DOMRectReadOnly, rootBounds }])
    expect(past.value).toBe(false)
    scope.stop()
    expect(observer.disconnected).toBe(true)
  })

  it('stays false where IntersectionObserver does not exist', async () => {
    vi.stubGlobal('IntersectionObserver', undefined)
    const scope = effectScope()
    const { past } = scope.run(() => useScrolledPast({ target: ref(document.createElement('div')) }))!
    await nextTick()
    expect(past.value).toBe(false)
    scope.stop()
  })
})
