// @vitest-environment happy-dom
import * as v from 'valibot'
import { beforeEach, describe, expect, it } from 'vitest'
import type { PublicIncident } from '../domain/status-page'
import { StatusAnswerSchema, type StatusAnswer } from '../domain/status-wire'
import { XSS_PAYLOADS } from '../../tests/fixtures/xss-payloads'
import { parseStatusAnswer } from './parse'
import { renderStatus } from './render'

const T0 = Date.UTC(2026, 10, 1, 9, 0, 0)
const format = (ms: number) => `t+${(ms - T0) / 60_000}min`

function incident(over: Partial<PublicIncident> = {}): PublicIncident {
  return {
    id: 'INC00000001',
    title: 'Gym Wi-Fi down',
    status: 'mitigated',
    severity: 2,
    declaredMs: T0,
    mitigatedMs: T0 + 10 * 60_000,
    resolvedMs: null,
    updates: [
      { id: 'UPD00000002', postedMs: T0 + 15 * 60_000, body: 'Second' },
      { id: 'UPD00000001', postedMs: T0 + 5 * 60_000, body: 'First' },
    ],
    ...over,
  }
}

const answer = (i: PublicIncident): StatusAnswer => ({ kind: 'incident', incident: i, refreshSeconds: 15, now: T0 })

let root: HTMLElement
beforeEach(() => {
  document.body.innerHTML = '<main id="status"></main>'
  root = document.getElementById('status')!
})

describe('status page rendering', () => {
  it('shows the title, severity, status, lifecycle times and updates newest first', () => {
    renderStatus(
      root,
      { kind: 'answer', answer: answer(incident()), checkedAt: T0 + 20 * 60_000, offline: false },
      format,
    )
    expect(root.querySelector('h1')!.textContent).toBe('Gym Wi-Fi down')
    expect([...root.querySelectorAll('.status-badge')].map((b) => b.textContent)).toEqual([
      'SEV2 · major',
      'Mitigated: impact contained, still being watched',
    ])
    expect([...root.querySelectorAll('dt')].map((d) => d.textContent)).toEqual(['Declared', 'Mitigated'])
    expect([...root.querySelectorAll('dd')].map((d) => d.textContent)).toEqual(['t+0min', 't+10min'])
    const items = [...root.querySelectorAll('ol.status-updates > li')]
    expect(items.map((li) => li.querySelector('.status-update__body')!.textContent)).toEqual(['Second', 'First'])
    expect(items[0]!.querySelector('time')!.getAttribute('datetime')).toBe(new Date(T0 + 15 * 60_000).toISOString())
    expect(root.querySelector('[role="status"]')!.textContent).toBe('Refreshes by itself. Checked t+20min')
    expect(document.title).toBe('Gym Wi-Fi down · Incident status')
  })

  it('says "This link was withdrawn" for a withdrawn link', () => {
    renderStatus(root, { kind: 'withdrawn' }, format)
    expect(root.querySelector('h1')!.textContent).toBe('This link was withdrawn')
  })

  it.each(XSS_PAYLOADS)('writes %j as text in every field, making no element of it', (payload) => {
    const hostile = incident({
      title: payload,
      updates: [{ id: 'UPD00000001', postedMs: T0, body: `${payload}\n${payload}` }],
    })
    renderStatus(root, { kind: 'answer', answer: answer(hostile), checkedAt: T0, offline: false }, format)
    renderStatus(
      root,
      {
        kind: 'answer',
        answer: { kind: 'team', incidents: [hostile, hostile], refreshSeconds: 15, now: T0 },
        checkedAt: T0,
        offline: true,
      },
      format,
    )
    expect([...root.querySelectorAll('h2')].map((h) => h.textContent)).toEqual([payload, payload])
    expect([...root.querySelectorAll('h3')].map((h) => h.textContent)).toEqual(['Updates', 'Updates'])
    expect(root.querySelectorAll('.status-update__body')[0]!.textContent).toBe(`${payload}\n${payload}`)
    // Only the elements the renderer makes: nothing from the payload.
    const tags = new Set([...root.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()))
    expect([...tags].sort()).toEqual(['dd', 'dl', 'dt', 'h1', 'h2', 'h3', 'li', 'ol', 'p', 'section', 'span', 'time'])
    for (const e of root.querySelectorAll('*'))
      for (const attr of e.getAttributeNames())
        expect(['class', 'id', 'aria-labelledby', 'aria-label', 'datetime', 'role']).toContain(attr)
    expect(document.title).toBe('Open incidents · Incident status')
  })
})

describe('reading the answer', () => {
  const good: unknown[] = [
    answer(incident()),
    {
      kind: 'team',
      incidents: [incident(), incident({ status: 'active', mitigatedMs: null, updates: [] })],
      refreshSeconds: 5,
      now: T0,
    },
  ]
  const bad: unknown[] = [
    null,
    '<html>',
    { ...answer(incident()), kind: 'other' },
    { ...answer(incident()), now: -1 },
    { ...answer(incident()), refreshSeconds: '15' },
    answer({ ...incident(), severity: 5 as 1 }),
    answer({ ...incident(), status: 'closed' as 'active' }),
    answer({ ...incident(), updates: [{ id: 'x', postedMs: 1.5, body: 'b' }] }),
    { kind: 'team', incidents: [{}], refreshSeconds: 5, now: T0 },
  ]

  it('agrees with the wire schema on answers it takes and refuses', () => {
    for (const body of good) {
      expect(v.safeParse(StatusAnswerSchema, body).success).toBe(true)
      expect(parseStatusAnswer(body)).toEqual(body)
    }
    for (const body of bad) {
      expect(v.safeParse(StatusAnswerSchema, body).success).toBe(false)
      expect(parseStatusAnswer(body)).toBeNull()
    }
  })
})
