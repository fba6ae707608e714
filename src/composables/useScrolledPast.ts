import { onScopeDispose, ref, watch, type Ref } from 'vue'

export interface UseScrolledPastOptions {
  /** The element whose passing counts (a zero-height sentinel, typically). */
  target: Readonly<Ref<Element | null | undefined>>
  /** Pixels hidden under a sticky header at the top of the viewport (the line counts as the top). */
  topOffset?: number
}

/**
 * Whether `target` has scrolled up past the top of the viewport (less `topOffset`).
 * An IntersectionObserver, not a scroll handler: nothing is read on each scroll.
 * Where IntersectionObserver is missing (old browsers, tests) it stays false.
 */
export function useScrolledPast(options: UseScrolledPastOptions): { past: Readonly<Ref<boolean>> } {
  const past = ref(false)
  const isSupported = typeof IntersectionObserver !== 'undefined'
  let observer: IntersectionObserver | undefined

  function stop(): void {
    observer?.disconnect()
    observer = undefined
  }

  watch(
    options.target,
    (el) => {
      stop()
      past.value = false
      if (!el || !isSupported) return
      observer = new IntersectionObserver(
        (entries) => {
          const entry = entries[entries.length - 1]
          if (!entry) return
          // Out of view below the fold is not "past": only above the top line.
          const top = entry.rootBounds?.top ?? options.topOffset ?? 0
          past.value = !entry.isIntersecting && entry.boundingClientRect.top < top
        },
        { rootMargin: `-${options.topOffset ?? 0}px 0px 0px 0px` },
      )
      observer.observe(el)
    },
    { immediate: true, flush: 'post' },
  )
  onScopeDispose(stop)
  return { past }
}
