import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue'
import type { IncidentState } from '../domain/fold'
import type { IncidentSearchIndex, SearchScores } from '../domain/incident-search-index'
import type { IncidentOverview } from '../domain/summary'
import { useIncidentsStore } from '../stores/incidents'
import { afterFirstScreen, nextTask } from './useFirstScreen'

/** What the index follows: the incidents store (or, in tests, the same shape). */
export interface SearchSource {
  /** The incidents held folded: their heads and the text of their events are indexed. */
  readonly incidents: readonly IncidentState[]
  /** Every incident on the phone, folded or not: the heads of those not folded are indexed from these. */
  readonly list?: readonly IncidentOverview[]
  /** The index as last saved on this phone (IncidentSearchIndex.toJSON), or null. */
  savedSearchIndex?: () => Promise<unknown>
  /** Save the index, so the next start does not index every event again. */
  saveSearchIndex?: (data: unknown) => Promise<void>
  /** Ticks when any incident changes. */
  readonly revision: number
  /** The phone's incidents have been read: an index built before would say "ready" while holding nothing. */
  readonly ready: boolean
  /** Incidents being opened now (a tap waits for them): indexing in the background pauses until none. */
  readonly openingCount?: number
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
/** Incident heads (title, summary, location) indexed between two looks at the clock. */
const HEADS_PER_STEP = 16
/** How long after a change the index is saved (ms): a burst of events is saved once. */
const SAVE_DELAY_MS = 5_000

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
      this.wroteSinceSave = false
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
        const held = new Set(all.map((s) => s.id))
        const list = this.source.list ?? []
        const ids = new Set(held)
        for (const o of list) ids.add(o.id)
        let wrote = index.retainOnly(ids) > 0
        let sliceStart = performance.now()
        /** Give the thread back once this slice has had its time. */
        const endOfSlice = async () => {
          const now = performance.now()
          if (now - sliceStart < SLICE_MS) return
          this.noteSlice(sliceStart, now)
          await this.yieldThread()
          sliceStart = performance.now()
        }
        // Incidents known by their overview only: their head (no events to read, but 5,000 of them after a join).
        let heads = 0
        for (const o of list) {
          if (held.has(o.id) || !index.catchUpHead(o)) continue
          wrote = true
          if (++heads % HEADS_PER_STEP === 0) await endOfSlice()
        }
        for (const state of all) {
          while (index.behind(state) > 0) {
            index.catchUp(state, EVENTS_PER_STEP)
            wrote = true
            await endOfSlice()
          }
        }
        this.noteSlice(sliceStart, performance.now())
        if (wrote) {
          this.version.value++
          this.scheduleSave()
        }
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

  private wroteSinceSave = false
  private saveTimer: ReturnType<typeof setTimeout> | null = null

  /** Save the index a while after it changed (one save for a burst); a failed save is tried at the next change. */
  private scheduleSave(): void {
    this.wroteSinceSave = true
    if (this.saveTimer || !this.source.saveSearchIndex) return
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null
      if (!this.index || !this.wroteSinceSave) return
      this.wroteSinceSave = false
      this.source.saveSearchIndex?.(this.index.toJSON()).catch(() => {
        this.wroteSinceSave = true
      })
    }, SAVE_DELAY_MS)
  }

  /** The longest stretch the index work held the main thread, for the benchmark. */
  private longest = { start: 0, end: 0 }
  private noteSlice(start: number, end: number): void {
    if (end - start > this.longest.end - this.longest.start) this.longest = { start, end }
  }

  /**
   * Building in the background waits for idle time, and for no incident being
   * opened (an opening waits on IndexedDB and the network, the main thread
   * idle between, and each slice taken then put the tap behind it: an
   * archived incident opened right after joining took twice as long at 4×
   * CPU); someone waiting for the index gets the next slice at once.
   */
  private async yieldThread(): Promise<void> {
    if (this.urgent) return nextTask()
    await whenTrue(() => !this.source.openingCount)
    if (typeof requestIdleCallback !== 'function') return nextTask()
    return new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: 250 }))
  }
}

const engines = new WeakMap<object, SearchEngine>()

/** The index saved on this phone, if any and readable; else an empty one. */
async function loadIndex(source: SearchSource): Promise<IncidentSearchIndex> {
  const [{ IncidentSearchIndex }, saved] = await Promise.all([
    import('../domain/incident-search-index'),
    source.savedSearchIndex?.().catch(() => null) ?? null,
  ])
  return IncidentSearchIndex.fromJSON(saved) ?? new IncidentSearchIndex()
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
 * Offline search over every incident (src/domain/incident-search-index.ts):
 * the heads of all of them, the text of the events of those held. The index
 * is saved on the phone a few seconds after it changes and read back at the
 * next start, so only events that came since are indexed then. Its code
 * loads after the first screen, or when the field is focused, and indexing
 * runs in idle slices so a tap is never kept waiting; each new event adds its
 * own words only. Performance entries `incident-search-build`
 * and `incident-search-query` are there for the benchmark.
 */
export function useIncidentSearch(options: UseIncidentSearchOptions): UseIncidentSearchReturn {
  const source = options.source ?? useIncidentsStore()
  let engine = engines.get(source)
  if (!engine) {
    engine = new SearchEngine(source, options.load ?? (() => loadIndex(source)))
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
