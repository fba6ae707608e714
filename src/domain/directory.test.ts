import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { foldDirectory, listed, recipientsOf, telHref } from './directory'
import { foldIncidents } from './fold'

describe('the directory fold', () => {
  it('keeps the last writer per field, whatever the arrival order, and drops duplicates', () => {
    const a1 = makeEvent('audience.saved', { audienceId: 'AUD00000001', name: 'Principals', note: 'all' })
    const a2 = makeEvent('audience.saved', {
      audienceId: 'AUD00000001',
      name: undefined,
      members: [{ email: 'kim@lincoln.example' }],
    })
    const a3 = makeEvent('audience.saved', {
      audienceId: 'AUD00000001',
      name: 'Principals (all schools)',
      members: undefined,
    })
    const orders = [
      [a1, a2, a3],
      [a3, a2, a1, a2],
      [a2, a3, a1],
    ]
    const folded = orders.map((o) => foldDirectory(o).audiences.get('AUD00000001'))
    for (const a of folded)
      expect(a).toMatchObject({
        name: 'Principals (all schools)',
        note: 'all',
        members: [{ email: 'kim@lincoln.example' }],
        removed: false,
      })
  })

  it('removes by a save, and a later save brings the record back', () => {
    const c1 = makeEvent('contact.saved', { contactId: 'CON00000001', name: 'Superintendent', kind: 'person' })
    const c2 = makeEvent('contact.saved', {
      contactId: 'CON00000001',
      name: undefined,
      kind: undefined,
      phones: undefined,
      removed: true,
    })
    expect(listed(foldDirectory([c1, c2]).contacts.values())).toEqual([])
    // The removed ones, for bringing one back: the record with every field it had.
    expect(listed(foldDirectory([c1, c2]).contacts.values(), true).map((c) => [c.name, c.removed])).toEqual([
      ['Superintendent', true],
    ])
    const c3 = makeEvent('contact.saved', {
      contactId: 'CON00000001',
      name: undefined,
      kind: undefined,
      phones: undefined,
      removed: false,
    })
    expect(listed(foldDirectory([c3, c1, c2]).contacts.values()).map((c) => c.name)).toEqual(['Superintendent'])
  })

  it('is no incident: the incidents fold shows nothing for it', () => {
    const events = [makeEvent('contact.saved'), makeEvent('audience.saved')]
    expect(foldIncidents(events).size).toBe(0)
  })

  it('emails each address once, compared without case', () => {
    expect(
      recipientsOf({
        members: [
          { email: 'Kim@Lincoln.example', name: 'Kim' },
          { email: 'kim@lincoln.example' },
          { email: 'lee@lincoln.example' },
        ],
      }),
    ).toEqual([{ email: 'kim@lincoln.example', name: 'Kim' }, { email: 'lee@lincoln.example' }])
  })

  it('makes tel: links of typed numbers', () => {
    expect(telHref('+1 (555) 010-2030')).toBe('tel:+15550102030')
    expect(telHref('555.010.2030 ext. 42')).toBe('tel:5550102030;ext=42')
    expect(telHref('0800 123 x7')).toBe('tel:0800123;ext=7')
  })
})
