import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue'
import type { IncidentState } from '../domain/fold'
import type { IncidentSearchIndex, SearchScores } from '../domain/incident-search-index'
import { useIncidentsStore } from '../stores/incidents'
import { afterFirstScreen, nextTask } from './useFirstScreen'

/** What the index follows: the incidents store (or, in tests, the same shape). */
export interface SearchSource {
  /** Every incident on the phone, as held now. */
  readonly incidents: readonly IncidentState[]
  /** Ticks when any incident changes. */
  readonly revision: number
  /** The phone's incidents have been read: an index built before would say "ready" while holding nothing. */
  readonly ready: boolean
}

export interface UseIncidentSearchOptions {
  query: MaybeRefOrGetter<string>
  /** Default: the incidents store. */
  source?: SearchSource
  /** Injected in tests; the index module, loaded on demand, otherwise. */
  load?: () => Promise<IncidentSearchIndex>
  /** When to start building without being asked; after the first screen, in idle time, otherwise. */
  schedule?: (start: () => void) => void
}

export interface UseIncidentSearchReturn {
  /** Incident id → score for the query; null while the query has no word or the index is not complete. */
  matches: ShallowRef<SearchScores | null>
  /** The query `matches` answer. */
  answered: Ref<string>
  /** The index holds every incident (it keeps following new events after that). */
  ready: Ref<boolean>
  /** Start loading and building now, in short slices (the search field got focus). */
  prepare: () => void
}

/** Index work per slice (ms) before the browser gets the thread back for input and paint. */
const SLICE_MS = 8
/** Events indexed between two looks at the clock. */
const EVENTS_PER_STEP = 32

/**
 * One index per incidents store, kept while the page lives: leaving the list
 * and coming back does not rebuild it, and it follows new events only.
 */
class SearchEngine {
  readonly ready = ref(false)
  /** Ticks when what the index holds changed: answers are stale. */
  readonly version = ref(0)
  /** Someone is waiting for the index (the field has focus or a query): slices follow each other at once. */
  urgent = false
  private index: IncidentSearchIndex | null = null
  private opening: Promise<void> | null = null
  private syncing: Promise<void> | null = null
  private again = false

  constructor(
    private readonly source: SearchSource,
    private readonly load: () => Promise<IncidentSearchIndex>,
  ) {}

  /** Load the index code and index every incident, once; a failed load (offline, chunk not cached) can be retried. */
  prepare(): Promise<void> {
    this.opening ??= (async () => {
      await whenTrue(() => this.source.ready)
      const start = performance.now()
      this.index = await this.load()
      await this.sync()
      this.ready.value = true
      performance.measure('incident-search-build', { start, end: performance.now() })
      performance.measure('incident-search-build-longest-slice', this.longest)
    })().catch((e: unknown) => {
      this.opening = null
      throw e
    })
    return this.opening
  }

  /** Index what changed since the last pass, in slices; one pass at a time, run again if asked meanwhile. */
  sync(): Promise<void> {
    if (!this.index) return Promise.resolve()
    if (this.syncing) {
      this.again = true
      return this.syncing
    }
    const index = this.index
    this.syncing = (async () => {
      do {
        this.again = false
        const all = this.source.incidents
        let wrote = index.retainOnly(new Set(all.map((s) => s.id))) > 0
        let sliceStart = performance.now()
        for (const state of all) {
          while (index.behind(state) > 0) {
            index.catchUp(state, EVENTS_PER_STEP)
            wrote = true
            const now = performance.now()
            if (now - sliceStart < SLICE_MS) continue
            this.noteSlice(sliceStart, now)
            await this.yieldThread()
            sliceStart = performance.now()
          }
        }
        this.noteSlice(sliceStart, performance.now())
        if (wrote) this.version.value++
      } while (this.again)
    })().finally(() => {
      this.syncing = null
    })
    return this.syncing
  }

  /** Incidents matching `query` (see IncidentSearchIndex.search); null until the index is complete. */
  search(query: string): SearchScores | null {
    if (!this.index || !this.ready.value) return null
    const t0 = performance.now()
    const scores = this.index.search(query)
    performance.measure('incident-search-query', { start: t0, end: performance.now() })
    return scores
  }

  /** The longest stretch the index work held the main thread, for the benchmark. */
  private longest = { start: 0, end: 0 }
  private noteSlice(start: number, end: number): void {
    if (end - start > this.longest.end - this.longest.start) this.longest = { start, end }
  }

  /** Building in the background waits for idle time; someone waiting gets the next slice at once. */
  private yieldThread(): Promise<void> {
    if (this.urgent || typeof requestIdleCallback !== 'function') return nextTask()
    return new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: 250 }))
  }
}

const engines = new WeakMap<object, SearchEngine>()

async function loadIndex(): Promise<IncidentSearchIndex> {
  const { IncidentSearchIndex } = await import('../domain/incident-search-index')
  return new IncidentSearchIndex()
}

/** Resolves once `ok()` is true (checked now, then on every change). */
function whenTrue(ok: () => boolean): Promise<void> {
  if (ok()) return Promise.resolve()
  return new Promise((resolve) => {
    const stop = watch(ok, (yes) => {
      if (!yes) return
      stop()
      resolve()
    })
  })
}

/**
 * Offline search over every incident (src/domain/incident-search-index.ts).
 * The index code loads after the first screen, or when the field is focused,
 * and is built in idle slices so a tap is never kept waiting; from then on each
 * new event adds its own words only. Performance entries `incident-search-build`
 * and `incident-search-query` are there for the benchmark.
 */
export function useIncidentSearch(options: UseIncidentSearchOptions): UseIncidentSearchReturn {
  const source = options.source ?? useIncidentsStore()
  let engine = engines.get(source)
  if (!engine) {
    engine = new SearchEngine(source, options.load ?? loadIndex)
    engines.set(source, engine)
  }
  const e = engine
  const matches = shallowRef<SearchScores | null>(null)
  const answered = ref('')

  function answer(): void {
    const query = toValue(options.query)
    matches.value = query.trim() === '' ? null : e.search(query)
    answered.value = matches.value ? query : ''
  }

  function prepare(): void {
    e.urgent = true
    e.prepare().catch(() => {
      // Loading failed (a chunk missing offline before it was cached): the next focus tries again.
    })
  }

  let disposed = false
  ;(options.schedule ?? afterFirstScreen)(() => {
    if (!disposed) e.prepare().catch(() => {})
  })

  watch(
    () => source.revision,
    () => void e.sync(),
  )
  watch([() => e.version.value, () => e.ready.value], answer)
  watch(
    () => toValue(options.query),
    (query) => {
      if (query.trim() !== '') prepare()
      answer()
    },
  )
  // Back on the list with the index built: events that came meanwhile are indexed now.
  if (e.ready.value) void e.sync()
  answer()

  onScopeDispose(() => {
    disposed = true
  })

  return { matches, answered, ready: e.ready, prepare }
}
