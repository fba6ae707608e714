import { flushPromises } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref, shallowRef } from 'vue'
import { makeEvent } from '../../tests/fixtures/events'
import { applyEvent, foldIncident, type IncidentState } from '../domain/fold'
import { newId } from '../domain/ids'
import { IncidentSearchIndex } from '../domain/incident-search-index'
import { useIncidentSearch } from './useIncidentSearch'

function incident(title: string): IncidentState {
  const id = newId()
  return foldIncident([makeEvent('incident.declared', { title, severity: 2 }, { incidentId: id })])!
}

function setup(read = true) {
  const dataReady = ref(read)
  const states = shallowRef([incident('Core switch down'), incident('Printer queue stuck')])
  const revision = ref(0)
  const query = ref('')
  const index = new IncidentSearchIndex()
  const put = vi.spyOn(index, 'put')
  const load = vi.fn(() => Promise.resolve(index))
  let scheduled: (() => void) | null = null
  const scope = effectScope()
  const search = scope.run(() =>
    useIncidentSearch({
      query,
      incidents: () => states.value,
      revision,
      dataReady,
      load,
      schedule: (start) => {
        scheduled = start
      },
    }),
  )!
  return { dataReady, states, revision, query, load, put, search, scope, start: () => scheduled?.() }
}

describe('useIncidentSearch', () => {
  it('loads the index only after the first screen (or on focus), not while the list renders', async () => {
    const t = setup()
    await flushPromises()
    expect(t.load).not.toHaveBeenCalled()
    t.start()
    await vi.waitFor(() => expect(t.search.ready.value).toBe(true))
    expect(t.load).toHaveBeenCalledTimes(1)
    expect(t.put).toHaveBeenCalledTimes(2)
    t.scope.stop()
  })

  it('waits for the incidents to be read before building', async () => {
    const t = setup(false)
    t.start()
    await flushPromises()
    expect(t.load).not.toHaveBeenCalled()
    t.dataReady.value = true
    await vi.waitFor(() => expect(t.search.ready.value).toBe(true))
    expect(t.put).toHaveBeenCalledTimes(2)
    t.scope.stop()
  })

  it('re-indexes only the incident an event touched', async () => {
    const t = setup()
    t.search.prepare()
    await vi.waitFor(() => expect(t.search.ready.value).toBe(true))
    t.query.value = 'transceiver'
    await nextTick()
    expect(t.search.matches.value).toEqual([])
    const target = t.states.value[1]!
    applyEvent(
      target,
      makeEvent('log.entry', { text: 'Swapped the transceiver', kind: 'action' }, { incidentId: target.id }),
    )
    t.put.mockClear()
    t.revision.value++
    await vi.waitFor(() => expect(t.search.matches.value).toEqual([target.id]))
    expect(t.put).toHaveBeenCalledTimes(1)
    expect(t.search.answered.value).toBe('transceiver')
    t.scope.stop()
  })

  it('starts loading when a query is typed before the index is ready', async () => {
    const t = setup()
    t.query.value = 'printer'
    await vi.waitFor(() => expect(t.search.matches.value).toEqual([t.states.value[1]!.id]))
    t.scope.stop()
  })
})
