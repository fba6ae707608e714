import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue'
import type { IncidentState } from '../domain/fold'
import type { IncidentSearchIndex } from '../domain/incident-search-index'
import { afterFirstScreen, nextTask } from './useFirstScreen'

export interface UseIncidentSearchOptions {
  query: MaybeRefOrGetter<string>
  /** Every incident on the phone, as the store holds them now. */
  incidents: () => readonly IncidentState[]
  /** Ticks when any incident changes (the store's revision). */
  revision: MaybeRefOrGetter<number>
  /** The phone's incidents have been read (the store's `ready`): the build waits for it. Default: true. */
  dataReady?: MaybeRefOrGetter<boolean>
  /** Injected in tests; the MiniSearch index module, loaded on demand, otherwise. */
  load?: () => Promise<IncidentSearchIndex>
  /** When to start building without being asked; after the first screen, in idle time, otherwise. */
  schedule?: (start: () => void) => void
  /** Index work per slice, in ms, before yielding to input and paint. */
  sliceMs?: number
}

export interface UseIncidentSearchReturn {
  /** Ids matching the query, best first; null while the query is blank or the index is not ready. */
  matches: ShallowRef<string[] | null>
  /** The query `matches` answer. */
  answered: Ref<string>
  /** The index holds every incident (it keeps following new events after that). */
  ready: Ref<boolean>
  /** Start loading and building now (the search field got focus). */
  prepare: () => void
}

const loadIndex = async (): Promise<IncidentSearchIndex> => {
  const { IncidentSearchIndex } = await import('../domain/incident-search-index')
  return new IncidentSearchIndex()
}

/**
 * Offline search over every incident. The index (MiniSearch) loads after the
 * first screen, or when the field is focused, and is built in slices so a tap
 * is never kept waiting; from then on each new event re-indexes only the
 * incidents it touched. Performance entries `incident-search-build` and
 * `incident-search-query` are there for the benchmark.
 */
export function useIncidentSearch(options: UseIncidentSearchOptions): UseIncidentSearchReturn {
  const matches = shallowRef<string[] | null>(null)
  const answered = ref('')
  const ready = ref(false)
  const sliceMs = options.sliceMs ?? 8
  let index: IncidentSearchIndex | null = null
  let opening: Promise<void> | null = null
  let syncing: Promise<void> | null = null
  let again = false
  let disposed = false

  function answer(): void {
    const query = toValue(options.query)
    if (!index || !ready.value || query.trim() === '') {
      matches.value = null
      answered.value = ''
      return
    }
    const t0 = performance.now()
    matches.value = index.search(query)
    performance.measure('incident-search-query', { start: t0, end: performance.now() })
    answered.value = query
  }

  /** Index what changed since the last pass, a slice at a time; one pass at a time, re-run if asked meanwhile. */
  function sync(): Promise<void> {
    if (syncing) {
      again = true
      return syncing
    }
    syncing = (async () => {
      do {
        again = false
        const all = options.incidents()
        const stale = index!.stale(all)
        let sliceStart = performance.now()
        for (const state of stale) {
          if (disposed) return
          // A refold replaces the state object: index the current one.
          index!.put(state)
          if (performance.now() - sliceStart > sliceMs) {
            await nextTask()
            sliceStart = performance.now()
          }
        }
        index!.retainOnly(new Set(all.map((s) => s.id)))
        if (stale.length) answer()
      } while (again && !disposed)
    })().finally(() => {
      syncing = null
    })
    return syncing
  }

  /** Resolves once the incidents are read: an index built before would say "ready" while holding nothing. */
  function dataRead(): Promise<void> {
    if (toValue(options.dataReady ?? true)) return Promise.resolve()
    return new Promise((resolve) => {
      const stop = watch(
        () => toValue(options.dataReady ?? true),
        (ok) => {
          if (!ok) return
          stop()
          resolve()
        },
      )
    })
  }

  function prepare(): void {
    opening ??= (async () => {
      await dataRead()
      const start = performance.now()
      index = await (options.load ?? loadIndex)()
      await sync()
      ready.value = true
      performance.measure('incident-search-build', { start, end: performance.now() })
      answer()
    })().catch(() => {
      // Loading failed (a chunk missing offline before it was cached): the next focus tries again.
      opening = null
    })
  }

  ;(options.schedule ?? afterFirstScreen)(() => {
    if (!disposed) prepare()
  })

  watch(
    () => toValue(options.revision),
    () => {
      if (index) void sync()
    },
  )
  watch(
    () => toValue(options.query),
    (query) => {
      if (query.trim() !== '') prepare()
      answer()
    },
  )

  onScopeDispose(() => {
    disposed = true
  })

  return { matches, answered, ready, prepare }
}
