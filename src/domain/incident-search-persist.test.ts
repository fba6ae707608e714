import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { foldIncident } from './fold'
import { newId } from './ids'
import { IncidentSearchIndex } from './incident-search-index'
import { overviewOf } from './summary'

function held(title: string, notes: string[]) {
  const incidentId = newId()
  return foldIncident([
    makeEvent('incident.declared', { title, severity: 2 }, { incidentId }),
    ...notes.map((text) => makeEvent('log.entry', { text, kind: 'note' }, { incidentId })),
  ])!
}

describe('IncidentSearchIndex saved and read back', () => {
  it('answers every query as before, through JSON, with nothing left to index', () => {
    const a = held('Core switch down', ['Replaced the transceiver on uplink 2'])
    const b = held('Printer queue stuck', ['toner swapped', 'driver rolled back'])
    const index = new IncidentSearchIndex()
    for (const s of [a, b]) index.catchUp(s)
    index.retainOnly(new Set([a.id, b.id]))
    const back = IncidentSearchIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())))!
    for (const q of ['transciever', 'switch', 'ton', 'driver rolled', 'sev2', 'nothing'])
      expect(back.search(q)).toEqual(index.search(q))
    expect(back.behind(a)).toBe(0)
    expect(back.behind(b)).toBe(0)
    expect(back.size).toBe(2)
    expect(back.vocabulary).toBe(index.vocabulary)
  })

  it('indexes only what came after the save', () => {
    const a = held('Core switch down', ['one', 'two'])
    const index = new IncidentSearchIndex()
    index.catchUp(a)
    const back = IncidentSearchIndex.fromJSON(index.toJSON())!
    const later = foldIncident([
      ...a.events,
      makeEvent('log.entry', { text: 'fibre patched', kind: 'note' }, { incidentId: a.id }),
    ])!
    expect(back.behind(later)).toBe(1)
    back.catchUp(later)
    expect([...back.search('fibre')!.keys()]).toEqual([a.id])
  })

  it('refuses data of another format, so the phone indexes again instead', () => {
    for (const bad of [null, 'x', {}, { v: 2, ids: [], tracked: [], postings: [] }, { v: 1, ids: [] }])
      expect(IncidentSearchIndex.fromJSON(bad)).toBeNull()
  })

  it('indexes the head of an incident known by its overview only, and keeps the words of its events', () => {
    const a = held('Core switch down', ['Replaced the transceiver'])
    const index = new IncidentSearchIndex()
    index.catchUp(a)
    const resolved = overviewOf(
      foldIncident([
        ...a.events,
        makeEvent('incident.edited', { title: 'Core switch replaced' }, { incidentId: a.id }),
      ])!,
    )
    expect(index.catchUpHead(resolved)).toBe(true)
    expect(index.catchUpHead(resolved)).toBe(false)
    expect([...index.search('replaced')!.keys()]).toEqual([a.id])
    expect([...index.search('transceiver')!.keys()]).toEqual([a.id])
    const other = overviewOf(held('Printer queue stuck', []))
    index.catchUpHead(other)
    expect([...index.search('printer')!.keys()]).toEqual([other.id])
  })
})
