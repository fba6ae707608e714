import {
  computed,
  onBeforeUnmount,
  onMounted,
  ref,
  shallowRef,
  toValue,
  type ComputedRef,
  type MaybeRefOrGetter,
  type Ref,
} from 'vue'

export interface UseVirtualListOptions {
  /** The list element; the page (window) scrolls, not the list. */
  list: Ref<HTMLElement | null>
  /** How many rows there are. */
  count: MaybeRefOrGetter<number>
  /** A stable key per row index: measured heights follow the row when rows are added above it. */
  keyOf: (index: number) => string
  /** Row height before a row is measured, gap included (px). */
  estimate: number
  /** Rows rendered beyond each edge of the viewport, for smooth scrolling and keyboard focus. */
  overscan?: number
  /** Space between rows (px), added to each measured height. */
  gap?: number
  /** Rows kept rendered outside the window too (ascending), e.g. the newest entry below many pinned ones. */
  keep?: () => readonly number[]
}

export interface VirtualRow {
  index: number
  /** Room for unrendered rows between this one and the previous rendered one (px): give it as margin-top. */
  skipBefore: number
}

export interface VirtualList {
  /** First row rendered (inclusive) and last (exclusive). */
  start: ComputedRef<number>
  end: ComputedRef<number>
  /** The rows to render, in order: the window plus kept rows. */
  rows: ComputedRef<VirtualRow[]>
  /** Space standing in for the rows above and below the rendered ones (px). */
  padTop: ComputedRef<number>
  padBottom: ComputedRef<number>
  /** Give as a function ref to each rendered row: measures it while it is shown. */
  measure: (key: string, el: Element | null) => void
  /** Re-read the list's place in the viewport (after a layout change the page did not scroll for). */
  update: () => void
}

/** Index of the first row whose bottom is below `y`, in ascending `offsets` (length count + 1); count past the end. */
export function rowAt(offsets: readonly number[], y: number): number {
  let lo = 0
  let hi = offsets.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (offsets[mid + 1]! <= y) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * A windowed list inside the page's own scroll: only the rows in the viewport
 * (plus overscan) are in the DOM, padding stands in for the rest. Heights are
 * measured as rows show (ResizeObserver, so an opened row grows in place);
 * unmeasured rows count at `estimate`.
 */
export function useVirtualList(options: UseVirtualListOptions): VirtualList {
  const overscan = options.overscan ?? 6
  const gap = options.gap ?? 0
  const heights = new Map<string, number>()
  const measured = ref(0) // ticks when a height changes
  // Viewport relative to the list's top; before the first read, assume the list starts at the top.
  const viewTop = ref(0)
  const viewHeight = ref(typeof window === 'undefined' ? 800 : window.innerHeight || 800)
  const observed = new Map<string, Element>()
  const observer = shallowRef<ResizeObserver | null>(null)

  const offsets = computed(() => {
    void measured.value
    const n = toValue(options.count)
    const out = new Array<number>(n + 1)
    out[0] = 0
    for (let i = 0; i < n; i++) out[i + 1] = out[i]! + (heights.get(options.keyOf(i)) ?? options.estimate)
    return out
  })
  const start = computed(() => {
    const n = toValue(options.count)
    return Math.min(n, Math.max(0, rowAt(offsets.value, viewTop.value) - overscan))
  })
  const end = computed(() => {
    const n = toValue(options.count)
    return Math.min(n, rowAt(offsets.value, viewTop.value + viewHeight.value) + 1 + overscan)
  })
  const rows = computed<VirtualRow[]>(() => {
    const n = toValue(options.count)
    const indices: number[] = []
    const kept = (options.keep?.() ?? []).filter((i) => i >= 0 && i < n)
    let k = 0
    for (; k < kept.length && kept[k]! < start.value; k++) indices.push(kept[k]!)
    for (let i = start.value; i < end.value; i++) indices.push(i)
    for (; k < kept.length; k++)
      if (kept[k]! >= end.value && kept[k] !== indices[indices.length - 1]) indices.push(kept[k]!)
    const all = offsets.value
    return indices.map((index, j) => ({ index, skipBefore: j === 0 ? 0 : all[index]! - all[indices[j - 1]! + 1]! }))
  })
  const padTop = computed(() => (rows.value.length ? offsets.value[rows.value[0]!.index]! : 0))
  const padBottom = computed(() => {
    const all = offsets.value
    const last = rows.value[rows.value.length - 1]
    return Math.max(0, all[all.length - 1]! - (last ? all[last.index + 1]! : 0))
  })

  function setHeight(key: string, px: number): void {
    // Zero means not laid out (hidden, or a test DOM): keep the estimate.
    if (px <= 0) return
    const h = Math.round(px + gap)
    if (heights.get(key) === h) return
    heights.set(key, h)
    measured.value++
  }

  function measure(key: string, el: Element | null): void {
    const before = observed.get(key)
    if (before === el) return
    if (before) observer.value?.unobserve(before)
    if (!el) {
      observed.delete(key)
      return
    }
    observed.set(key, el)
    ;(el as HTMLElement).dataset.virtualKey = key
    observer.value?.observe(el)
  }

  let frame = 0
  function update(): void {
    const list = options.list.value
    if (!list) return
    viewTop.value = Math.max(0, -list.getBoundingClientRect().top)
    viewHeight.value = window.innerHeight || viewHeight.value
  }
  // One read per frame, at most: scroll events come faster than frames.
  function schedule(): void {
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      update()
    })
  }

  onMounted(() => {
    if (typeof ResizeObserver !== 'undefined') {
      observer.value = new ResizeObserver((entries) => {
        for (const entry of entries) {
          const key = (entry.target as HTMLElement).dataset.virtualKey
          if (key) setHeight(key, entry.borderBoxSize?.[0]?.blockSize ?? entry.contentRect.height)
        }
      })
      for (const el of observed.values()) observer.value.observe(el)
    }
    window.addEventListener('scroll', schedule, { passive: true })
    window.addEventListener('resize', schedule, { passive: true })
    // After the first paint: reading layout before it would stall it.
    schedule()
  })
  onBeforeUnmount(() => {
    window.removeEventListener('scroll', schedule)
    window.removeEventListener('resize', schedule)
    if (frame) cancelAnimationFrame(frame)
    observer.value?.disconnect()
    observed.clear()
  })

  return { start, end, rows, padTop, padBottom, measure, update }
}
