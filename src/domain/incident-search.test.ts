import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import type { IncidentEvent } from './events'
import { applyEvent, foldIncident, type IncidentState } from './fold'
import { newId } from './ids'
import { incidentSearchDoc, processIncidentTerm, tokenizeIncidentText } from './incident-search'
import { IncidentSearchIndex } from './incident-search-index'

/** One incident folded from a declaration and `more` events made with its id. */
function incident(title: string, more: ((id: string) => IncidentEvent)[] = [], extra = {}): IncidentState {
  const id = newId()
  const events: IncidentEvent[] = [makeEvent('incident.declared', { title, severity: 2, ...extra }, { incidentId: id })]
  for (const make of more) events.push(make(id))
  const state = foldIncident(events)
  if (!state) throw new Error('no state')
  return state
}

const log = (text: string) => (incidentId: string) => makeEvent('log.entry', { text, kind: 'action' }, { incidentId })

/**
 * Japanese sentences from the field note shared/field/cjk-ja.md (its steps and
 * summary), copied here so the test reads no file outside the repository.
 */
function japaneseSentences(): string[] {
  return [
    '建物間のネットワークが停止した場合の手順です。',
    'コアスイッチの電源とアップリンクを確認する。',
    '監視画面でネットワークの停止範囲を確認する。',
  ]
}

describe('incident search document', () => {
  it('holds title, summary, location, log text, changes, updates and tasks', () => {
    const s = incident(
      'Core switch down',
      [
        log('Power-cycled switch B-2'),
        (id) =>
          makeEvent(
            'change.made',
            { changeId: newId(), system: 'FW-2', what: 'opened 443', revert: 'close 443' },
            { incidentId: id },
          ),
        (id) => makeEvent('update.posted', { body: 'Wifi back in the gym' }, { incidentId: id }),
        (id) =>
          makeEvent(
            'task.added',
            { taskId: newId(), text: 'Order PSU', kind: 'followup', owner: 'Sam' },
            { incidentId: id },
          ),
      ],
      { summary: 'Building B dark', location: 'High school' },
    )
    const doc = incidentSearchDoc(s)
    expect(doc).toMatchObject({ title: 'Core switch down', summary: 'Building B dark', location: 'High school' })
    expect(doc.log).toContain('Power-cycled switch B-2')
    expect(doc.changes).toContain('FW-2')
    expect(doc.changes).toContain('close 443')
    expect(doc.updates).toContain('Wifi back in the gym')
    expect(doc.tasks).toContain('Order PSU')
    expect(doc.tasks).toContain('Sam')
  })
})

describe('tokenizer', () => {
  it('splits English on spaces and punctuation, unchanged', () => {
    expect(tokenizeIncidentText('Power-cycled switch B-2, twice.')).toEqual([
      'Power',
      'cycled',
      'switch',
      'B',
      '2',
      'twice',
    ])
  })
  it('cuts Japanese sentences into words', () => {
    const words = tokenizeIncidentText('コアスイッチの電源とアップリンクを確認する。')
    expect(words).toContain('電源')
    expect(words).toContain('確認')
  })
  it('keeps one-kanji words, drops single Latin letters and stop words', () => {
    expect(processIncidentTerm('雨')).toBe('雨')
    expect(processIncidentTerm('b')).toBeNull()
    expect(processIncidentTerm('The')).toBeNull()
    expect(processIncidentTerm('Café')).toBe('cafe')
  })
})

describe('IncidentSearchIndex', () => {
  const switchDown = incident('Core switch down', [log('Rebooted the firewall in the library')])
  const printer = incident('Printer queue stuck', [log('Cleared spooler on print server')])
  const wifi = incident('Wifi outage gym', [log('Controller lost power')], { location: 'Gymnasium' })

  function indexOf(states: IncidentState[]): IncidentSearchIndex {
    const index = new IncidentSearchIndex()
    index.update(states)
    return index
  }

  it('finds words by prefix, in any field', () => {
    const index = indexOf([switchDown, printer, wifi])
    expect(index.search('firew')).toEqual([switchDown.id])
    expect(index.search('spool')).toEqual([printer.id])
    expect(index.search('gymn')).toEqual([wifi.id])
  })

  it('forgives a typo (fuzzy)', () => {
    const index = indexOf([switchDown, printer, wifi])
    expect(index.search('prnter')).toEqual([printer.id])
    expect(index.search('contoller')).toEqual([wifi.id])
  })

  it('ranks a title match above the same word in the log', () => {
    const inTitle = incident('Firewall rule broke SSO')
    const index = indexOf([switchDown, inTitle])
    expect(index.search('firewall')).toEqual([inTitle.id, switchDown.id])
  })

  it('finds Japanese words inside the sentences of a log (停止, 電源)', () => {
    const sentences = japaneseSentences()
    expect(sentences.length).toBeGreaterThan(1)
    const ja = incident(
      'コアスイッチ停止',
      sentences.map((text) => log(text)),
    )
    const logOnly = incident(
      'ネットワーク障害',
      sentences.filter((t) => t.includes('電源')).map((text) => log(text)),
    )
    const index = indexOf([switchDown, ja, logOnly])
    expect(index.search('停止')).toContain(ja.id)
    expect(new Set(index.search('電源'))).toEqual(new Set([ja.id, logOnly.id]))
    expect(index.search('電源')).not.toContain(switchDown.id)
  })

  it('takes a new event without a rebuild: only that incident is written', () => {
    const a = incident('Core switch down', [log('Checked uplink')])
    const b = incident('Printer queue stuck')
    const index = indexOf([a, b])
    expect(index.search('transceiver')).toEqual([])
    expect(applyEvent(a, log('Replaced the transceiver')(a.id))).toBe(true)
    expect(index.stale([a, b])).toEqual([a])
    expect(index.update([a, b])).toBe(1)
    expect(index.search('transceiver')).toEqual([a.id])
    expect(index.update([a, b])).toBe(0)
  })

  it('replaces a refolded incident and drops one that is gone', () => {
    const a = incident('Core switch down')
    const index = indexOf([a, printer])
    const renamed = foldIncident([
      ...a.events,
      makeEvent('incident.edited', { title: 'Fiber cut' }, { incidentId: a.id }),
    ])!
    expect(index.update([renamed])).toBe(1)
    expect(index.search('fiber')).toEqual([a.id])
    expect(index.search('core')).toEqual([])
    expect(index.search('printer')).toEqual([])
    expect(index.size).toBe(1)
  })
})
