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
  it('answers every query as before, through a structured clone (as IndexedDB stores it), with nothing left to index', () => {
    const a = held('Core switch down', ['Replaced the transceiver on uplink 2'])
    const b = held('Printer queue stuck', ['toner swapped', 'driver rolled back'])
    const index = new IncidentSearchIndex()
    for (const s of [a, b]) index.catchUp(s)
    index.retainOnly(new Set([a.id, b.id]))
    const back = IncidentSearchIndex.fromJSON(structuredClone(index.toJSON()))!
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

describe('IncidentSearchIndex storage format', () => {
  it('stores the incident numbers of every word in one Uint32Array (one block to copy, not an array per word)', () => {
    const a = held('Core switch down', ['Replaced the transceiver on uplink 2'])
    const b = held('Printer queue stuck', ['switch rebooted'])
    const index = new IncidentSearchIndex()
    for (const s of [a, b]) index.catchUp(s)
    const saved = index.toJSON()
    expect(saved.v).toBe(2)
    expect(saved.data).toBeInstanceOf(Uint32Array)
    expect(saved.counts).toBeInstanceOf(Uint32Array)
    expect(saved.terms).toHaveLength(index.vocabulary)
    // `switch`: in a's head and body, in b's body.
    const at = saved.terms.indexOf('switch')
    expect([saved.counts[2 * at], saved.counts[2 * at + 1]]).toEqual([1, 2])
  })

  it("reads the previous app's format (version 1) and answers as the index it was saved from", () => {
    const a = held('Core switch down', ['uplink flapping'])
    const heads = ['Core switch down', '', '', 'sev2', 'active']
    const v1 = {
      v: 1,
      ids: [a.id, null],
      tracked: [[a.id, 0, heads, ['core', 'switch', 'down', 'sev2', 'active'], a.events.length, a.events.at(-1)!.id]],
      postings: [
        ['core', [0], [0]],
        ['switch', [0], [0]],
        ['down', [0], [0]],
        ['sev2', [0], null],
        ['active', [0], null],
        ['uplink', null, [0]],
        ['flapping', null, [1, 0]],
      ],
    }
    const back = IncidentSearchIndex.fromJSON(v1)!
    expect(back.behind(a)).toBe(0)
    expect([...back.search('uplink')!.keys()]).toEqual([a.id])
    expect([...back.search('flaping')!.keys()]).toEqual([a.id])
    expect(back.search('switch')!.get(a.id)).toBeGreaterThan(back.search('uplink')!.get(a.id)!)
    expect(IncidentSearchIndex.fromJSON(structuredClone(back.toJSON()))!.search('core')).toEqual(back.search('core'))
  })

  it('takes a changed head out of the postings of the words it no longer has', () => {
    const a = held('Core switch down', [])
    const index = new IncidentSearchIndex()
    index.catchUp(a)
    const renamed = overviewOf(
      foldIncident([...a.events, makeEvent('incident.edited', { title: 'Printer jam' }, { incidentId: a.id })])!,
    )
    index.catchUpHead(renamed)
    const back = IncidentSearchIndex.fromJSON(structuredClone(index.toJSON()))!
    for (const i of [index, back]) {
      // `core` stays in the body (the declaration's text: weight 1), no longer in the head (weight 3).
      expect(i.search('core')!.get(a.id)).toBe(1)
      expect([...i.search('printer')!.keys()]).toEqual([a.id])
    }
  })
})
