import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { effectScope, ref, shallowReactive } from 'vue'
import { makeEvent } from '../../tests/fixtures/events'
import { applyEvent, foldIncident, type IncidentState } from '../domain/fold'
import { newId } from '../domain/ids'
import { IncidentSearchIndex } from '../domain/incident-search-index'
import { overviewOf } from '../domain/summary'
import { useIncidentSearch, type SearchSource } from './useIncidentSearch'

function incident(title: string): IncidentState {
  const id = newId()
  return foldIncident([makeEvent('incident.declared', { title, severity: 2 }, { incidentId: id })])!
}

/** A source the tests change as the store would. */
type MutableSource = SearchSource & {
  revision: number
  ready: boolean
  list?: SearchSource['list']
  openingCount?: number
}

function setup(read = true) {
  // Shallow: folded states stay plain objects, as the store keeps them.
  const source = shallowReactive<MutableSource>({
    incidents: [incident('Core switch down'), incident('Printer queue stuck')],
    revision: 0,
    ready: read,
  })
  const mutable = source
  const query = ref('')
  const index = new IncidentSearchIndex()
  const catchUp = vi.spyOn(index, 'catchUp')
  const load = vi.fn(() => Promise.resolve(index))
  let scheduled: (() => void) | null = null
  const mount = () => {
    const scope = effectScope()
    const search = scope.run(() =>
      useIncidentSearch({
        query,
        source,
        load,
        schedule: (start) => {
          scheduled = start
        },
      }),
    )!
    return { scope, search }
  }
  const { scope, search } = mount()
  return { source, mutable, query, load, catchUp, search, scope, mount, start: () => scheduled?.() }
}

describe('useIncidentSearch', () => {
  it('loads the index only after the first screen (or on focus), not while the list renders', async () => {
    const t = setup()
    await flushPromises()
    expect(t.load).not.toHaveBeenCalled()
    t.start()
    await vi.waitFor(() => expect(t.search.ready.value).toBe(true))
    expect(t.load).toHaveBeenCalledTimes(1)
    expect(t.catchUp).toHaveBeenCalledTimes(2)
    t.scope.stop()
  })

  it('waits for the incidents to be read before building', async () => {
    const t = setup(false)
    t.start()
    await flushPromises()
    expect(t.load).not.toHaveBeenCalled()
    t.mutable.ready = true
    await vi.waitFor(() => expect(t.search.ready.value).toBe(true))
    expect(t.catchUp).toHaveBeenCalledTimes(2)
    t.scope.stop()
  })

  it('indexes thousands of overviews in slices, and pauses while an incident is being opened', async () => {
    // Every look at the clock finds a slice's time used up: each step yields (no real time is measured).
    let clock = 0
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 10))
    const t = setup()
    const overviews = Array.from({ length: 200 }, (_, i) => overviewOf(incident(`Archived outage ${i}`))!)
    t.mutable.list = overviews
    t.mutable.openingCount = 1
    t.start()
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0))
    expect(t.search.ready.value).toBe(false)
    t.mutable.openingCount = 0
    await vi.waitFor(() => expect(t.search.ready.value).toBe(true))
    t.query.value = 'outage'
    await vi.waitFor(() => expect(t.search.matches.value?.size).toBe(200))
    now.mockRestore()
    t.scope.stop()
  })

  it('indexes only the incident an event touched, and answers again', async () => {
    const t = setup()
    t.search.prepare()
    await vi.waitFor(() => expect(t.search.ready.value).toBe(true))
    t.query.value = 'transceiver'
    await vi.waitFor(() => expect(t.search.answered.value).toBe('transceiver'))
    expect([...t.search.matches.value!.keys()]).toEqual([])
    const target = t.source.incidents[1]!
    applyEvent(
      target,
      makeEvent('log.entry', { text: 'Swapped the transceiver', kind: 'action' }, { incidentId: target.id }),
    )
    t.catchUp.mockClear()
    t.mutable.revision++
    await vi.waitFor(() => expect([...t.search.matches.value!.keys()]).toEqual([target.id]))
    expect(t.catchUp.mock.calls.map(([s]) => s.id)).toEqual([target.id])
    t.scope.stop()
  })

  it('starts loading when a query is typed before the index is ready', async () => {
    const t = setup()
    t.query.value = 'printer'
    await vi.waitFor(() => expect([...(t.search.matches.value?.keys() ?? [])]).toEqual([t.source.incidents[1]!.id]))
    t.scope.stop()
  })

  it('keeps one index for the page: a list shown again does not rebuild it', async () => {
    const t = setup()
    t.search.prepare()
    await vi.waitFor(() => expect(t.search.ready.value).toBe(true))
    t.scope.stop()
    t.catchUp.mockClear()
    const again = t.mount()
    expect(again.search.ready.value).toBe(true)
    t.query.value = 'printer'
    await vi.waitFor(() => expect(again.search.matches.value?.size).toBe(1))
    expect(t.load).toHaveBeenCalledTimes(1)
    expect(t.catchUp).not.toHaveBeenCalled()
    again.scope.stop()
  })
})

describe('useIncidentSearch over overviews and a saved index', () => {
  it('finds incidents known by their overview only, and starts from the saved index without reading events again', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const held = incident('Core switch down')
      const archived = overviewOf(incident('Printer queue stuck'))
      let saved: unknown = null
      const source = shallowReactive<MutableSource>({
        incidents: [held],
        list: [overviewOf(held), archived],
        revision: 0,
        ready: true,
        savedSearchIndex: () => Promise.resolve(saved),
        saveSearchIndex: (data) => {
          saved = structuredClone(data)
          return Promise.resolve()
        },
      })
      const query = ref('')
      const scope = effectScope()
      const search = scope.run(() => useIncidentSearch({ query, source, schedule: (start) => start() }))!
      await vi.waitFor(() => expect(search.ready.value).toBe(true))
      query.value = 'printer'
      await vi.waitFor(() => expect([...(search.matches.value?.keys() ?? [])]).toEqual([archived.id]))
      expect(saved).toBeNull()
      await vi.runAllTimersAsync()
      expect(saved).not.toBeNull()
      scope.stop()

      // The next start (a new source: a new page) reads the saved index: no event is indexed again.
      const catchUp = vi.spyOn(IncidentSearchIndex.prototype, 'catchUp')
      const next = shallowReactive<SearchSource & { revision: number; ready: boolean }>({ ...source, revision: 0 })
      const again = effectScope()
      const second = again.run(() =>
        useIncidentSearch({ query: 'switch', source: next, schedule: (start) => start() }),
      )!
      await vi.waitFor(() => expect(second.ready.value).toBe(true))
      await vi.waitFor(() => expect([...(second.matches.value?.keys() ?? [])]).toEqual([held.id]))
      expect(catchUp).not.toHaveBeenCalled()
      catchUp.mockRestore()
      again.stop()
    } finally {
      vi.useRealTimers()
    }
  })
})
