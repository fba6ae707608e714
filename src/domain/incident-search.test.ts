import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { EVENT_TYPES, type IncidentEvent } from './events'
import { applyEvent, foldIncident, type IncidentState } from './fold'
import { newId } from './ids'
import { allowedEdits, eventSearchText, incidentHeadText } from './incident-search'
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

function indexOf(states: IncidentState[]): IncidentSearchIndex {
  const index = new IncidentSearchIndex()
  for (const s of states) index.catchUp(s)
  return index
}

/** Ids best first (ties in the order given). */
function ranked(index: IncidentSearchIndex, query: string): string[] {
  const scores = index.search(query)
  if (!scores) return []
  return [...scores].sort((a, b) => b[1] - a[1]).map(([id]) => id)
}

describe('what is searched', () => {
  it('takes the text of log entries, amendments, changes, updates, tasks, briefings and notes', () => {
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
        (id) =>
          makeEvent('update.posted', { body: 'Wifi back in the gym', audience: 'Principals' }, { incidentId: id }),
        (id) =>
          makeEvent(
            'task.added',
            { taskId: newId(), text: 'Order PSU', kind: 'followup', owner: 'Sam' },
            { incidentId: id },
          ),
        (id) =>
          makeEvent(
            'role.assigned',
            { role: 'ops', person: { name: 'Priya' }, briefing: 'Watch the UPS' },
            { incidentId: id },
          ),
        (id) => makeEvent('incident.status', { status: 'mitigated', note: 'Loop isolated' }, { incidentId: id }),
      ],
      { summary: 'Building B dark', location: 'High school' },
    )
    const text = s.events.flatMap(eventSearchText).join(' | ')
    for (const words of [
      'Power-cycled switch B-2',
      'FW-2',
      'close 443',
      'Wifi back',
      'Principals',
      'Order PSU',
      'Sam',
      'Priya',
      'Watch the UPS',
      'Loop isolated',
      'High school',
    ])
      expect(text).toContain(words)
    expect(incidentHeadText(s)).toEqual(['Core switch down', 'Building B dark', 'High school', 'sev2', 'mitigated'])
  })

  it('has an answer for every event type', () => {
    for (const type of EVENT_TYPES)
      expect(Array.isArray(eventSearchText(makeEvent(type, undefined as never)))).toBe(true)
  })

  it('allows no typo up to 2 characters, one from 3, two from 8', () => {
    expect([2, 3, 7, 8, 20].map(allowedEdits)).toEqual([0, 1, 1, 2, 2])
  })
})

describe('IncidentSearchIndex', () => {
  const switchDown = incident('Core switch down', [log('Rebooted the firewall in the library')])
  const printer = incident('Printer queue stuck', [log('Cleared spooler on print server')])
  const wifi = incident('Wifi outage gym', [log('Controller lost power')], { location: 'Gymnasium' })

  it('finds words by prefix, in the head or the log', () => {
    const index = indexOf([switchDown, printer, wifi])
    expect(ranked(index, 'firew')).toEqual([switchDown.id])
    expect(ranked(index, 'spool')).toEqual([printer.id])
    expect(ranked(index, 'gymn')).toEqual([wifi.id])
  })

  it('forgives a typo, and two letters swapped', () => {
    const index = indexOf([switchDown, printer, wifi])
    expect(ranked(index, 'prnter')).toEqual([printer.id])
    expect(ranked(index, 'contoller')).toEqual([wifi.id])
    expect(ranked(index, 'swtich')).toEqual([switchDown.id])
    expect(ranked(index, 'zebra')).toEqual([])
  })

  it('needs every word: two words narrow', () => {
    const index = indexOf([switchDown, printer, wifi])
    expect(ranked(index, 'power')).toEqual([wifi.id])
    expect(ranked(index, 'controller power')).toEqual([wifi.id])
    expect(ranked(index, 'controller spooler')).toEqual([])
  })

  it('ranks a title match above the same word in the log, and an exact word above a prefix', () => {
    const inTitle = incident('Firewall rule broke SSO')
    const index = indexOf([switchDown, inTitle])
    expect(ranked(index, 'firewall')).toEqual([inTitle.id, switchDown.id])
    const exact = incident('Gym', [])
    const longer = incident('Gymnasium roof leak', [])
    expect(ranked(indexOf([longer, exact]), 'gym')).toEqual([exact.id, longer.id])
  })

  it('finds severity and status words (sev1, resolved)', () => {
    const sev1 = incident('Campus down', [], { severity: 1 })
    const index = indexOf([sev1, printer])
    expect(ranked(index, 'sev1')).toEqual([sev1.id])
    expect(ranked(index, 'active printer')).toEqual([printer.id])
  })

  it('gives no answer for a query without a searchable word', () => {
    const index = indexOf([switchDown])
    expect(index.search('')).toBeNull()
    expect(index.search('the a')).toBeNull()
  })

  it('finds Japanese and Chinese words inside sentences of a log (停止, 電源, 交换机)', () => {
    // From the field note shared/field/cjk-ja.md (copied: tests read no file outside the repository).
    const sentences = [
      '建物間のネットワークが停止した場合の手順です。',
      'コアスイッチの電源とアップリンクを確認する。',
      '監視画面でネットワークの停止範囲を確認する。',
    ]
    const ja = incident(
      'コアスイッチ停止',
      sentences.map((text) => log(text)),
    )
    const logOnly = incident(
      'ネットワーク障害',
      sentences.filter((t) => t.includes('電源')).map((text) => log(text)),
    )
    const zh = incident('网络中断', [log('请检查交换机的电源')])
    const index = indexOf([switchDown, ja, logOnly, zh])
    expect(ranked(index, '停止')).toEqual([ja.id])
    expect(new Set(ranked(index, '電源'))).toEqual(new Set([ja.id, logOnly.id]))
    expect(ranked(index, '交换机')).toEqual([zh.id])
  })

  it('takes a new event by its own words: the incident is not read again', () => {
    const a = incident('Core switch down', [log('Checked uplink')])
    const b = incident('Printer queue stuck')
    const index = indexOf([a, b])
    expect(index.behind(a)).toBe(0)
    expect(ranked(index, 'transceiver')).toEqual([])
    expect(applyEvent(a, log('Replaced the transceiver')(a.id))).toBe(true)
    expect(index.behind(a)).toBe(1)
    expect(index.behind(b)).toBe(0)
    expect(index.catchUp(a)).toBe(0)
    expect(ranked(index, 'transceiver')).toEqual([a.id])
  })

  it('indexes a long incident in steps, and an event that arrived in between', () => {
    const a = incident(
      'Core switch down',
      Array.from({ length: 10 }, (_, i) => log(`step ${i} word${i}`)),
    )
    const index = new IncidentSearchIndex()
    expect(index.catchUp(a, 4)).toBe(7)
    expect(ranked(index, 'word9')).toEqual([])
    expect(index.catchUp(a, 4)).toBe(3)
    expect(index.catchUp(a, 4)).toBe(0)
    expect(ranked(index, 'word9')).toEqual([a.id])
    // A late event, stamped before the last one indexed: the fold puts it in the middle.
    const late = makeEvent(
      'log.entry',
      { text: 'late arrival', kind: 'note' },
      { incidentId: a.id, hlc: a.events[3]!.hlc.replace(/.$/, '~') },
    )
    const refolded = foldIncident([...a.events, late])!
    expect(index.behind(refolded)).toBeGreaterThan(0)
    index.catchUp(refolded)
    expect(ranked(index, 'arrival')).toEqual([a.id])
  })

  it('follows an edited title, keeps the old one findable in the body, and drops incidents that are gone', () => {
    const a = incident('Core switch down')
    const index = indexOf([a, printer])
    const renamed = foldIncident([
      ...a.events,
      makeEvent('incident.edited', { title: 'Fiber cut' }, { incidentId: a.id }),
    ])!
    expect(index.behind(renamed)).toBe(2)
    index.catchUp(renamed)
    expect(ranked(index, 'fiber')).toEqual([a.id])
    expect(index.search('fiber')!.get(a.id)).toBeGreaterThan(index.search('core')!.get(a.id)!)
    expect(index.retainOnly(new Set([a.id]))).toBe(1)
    expect(ranked(index, 'printer')).toEqual([])
    expect(index.size).toBe(1)
  })
})
