/**
 * "After the first screen": work the responder is not waiting for (service
 * worker registration and its precache, sync, storage checks) starts once the
 * first screen is on the display and the browser is idle, so it never delays
 * that screen on a slow phone. The moment is once per page, hence module state.
 */
import { readonly, ref, type Ref } from 'vue'

let rendered: () => void = () => {}
const firstScreenRendered = new Promise<void>((resolve) => {
  rendered = resolve
})

/** main.ts: the first route has rendered. */
export function markFirstScreenShown(): void {
  rendered()
}

/**
 * The browser reports first-contentful-paint once the frame is presented,
 * which on a slow phone (and in headless Chromium) can be well after the
 * render: starting heavy work before then delays the presentation itself.
 */
function firstContentfulPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof PerformanceObserver === 'undefined' || !PerformanceObserver.supportedEntryTypes?.includes('paint'))
      return resolve()
    const observer = new PerformanceObserver((list) => {
      if (!list.getEntriesByName('first-contentful-paint').length) return
      observer.disconnect()
      resolve()
    })
    observer.observe({ type: 'paint', buffered: true })
  })
}

/** One observer for the page, however many callers wait. */
const firstScreenPresented = firstScreenRendered.then(firstContentfulPaint)

/** Resolves once the first screen is on the display; a few seconds after load if that never comes (a hidden tab paints nothing). */
export function whenFirstScreenShown(fallbackMs = 5000): Promise<void> {
  const fallback = new Promise<void>((resolve) => {
    const arm = () => setTimeout(resolve, fallbackMs)
    if (document.readyState === 'complete') arm()
    else window.addEventListener('load', arm, { once: true })
  })
  return Promise.race([firstScreenPresented, fallback])
}

/** For components: `shown` turns true once the first screen is on the display and the main thread is idle. */
export function useFirstScreen(): { shown: Readonly<Ref<boolean>> } {
  const shown = ref(false)
  afterFirstScreen(() => {
    shown.value = true
  })
  return { shown: readonly(shown) }
}

/** Runs `run` once the first screen is on the display and the main thread is idle. */
export function afterFirstScreen(run: () => void): void {
  void whenFirstScreenShown().then(() => {
    if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 1000 })
    else setTimeout(run, 200)
  })
}

/**
 * Resolves in a new task, so the browser can handle input and paint in
 * between: long start-up work split this way never blocks a tap for long.
 * (Not setTimeout: background tabs throttle it to a second.)
 */
export function nextTask(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler
  if (typeof scheduler?.yield === 'function') return scheduler.yield()
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })
}
