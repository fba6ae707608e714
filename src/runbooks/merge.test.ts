import { describe, expect, it } from 'vitest'
import { mergeThreeWay } from './merge'

const doc = (...lines: string[]) => lines.map((l) => `${l}\n`).join('')
const BASE = doc(
  '# Switch down',
  '',
  '## Steps',
  '- [ ] Check power',
  '- [ ] Ping it',
  '',
  '## Escalate',
  'Call the NOC',
)

describe('mergeThreeWay', () => {
  it('is clean and unchanged when nobody changed anything', () => {
    expect(mergeThreeWay(BASE, BASE, BASE)).toEqual({ conflicts: 0, chunks: [expect.anything()], text: BASE })
  })

  it('takes a change made on one side only (mine, then theirs)', () => {
    const mine = BASE.replace('Ping it', 'Ping it from the office')
    expect(mergeThreeWay(BASE, mine, BASE).text).toBe(mine)
    expect(mergeThreeWay(BASE, BASE, mine).text).toBe(mine)
  })

  it('merges changes to different sections cleanly', () => {
    const mine = BASE.replace('Check power', 'Check power and the UPS')
    const theirs = BASE.replace('Call the NOC', 'Call the NOC on 555-0100')
    const merged = mergeThreeWay(BASE, mine, theirs)
    expect(merged.conflicts).toBe(0)
    expect(merged.text).toBe(
      BASE.replace('Check power', 'Check power and the UPS').replace('Call the NOC', 'Call the NOC on 555-0100'),
    )
  })

  it('takes the same change made on both sides once', () => {
    const both = BASE.replace('Ping it', 'Ping 10.0.0.1')
    expect(mergeThreeWay(BASE, both, both)).toMatchObject({ conflicts: 0, text: both })
  })

  it('takes the same insertion on both sides once', () => {
    const both = BASE.replace('Call the NOC\n', 'Call the NOC\nWrite it in the log\n')
    expect(mergeThreeWay(BASE, both, both).text).toBe(both)
  })

  it('keeps insertions at the start and end from both sides', () => {
    const mine = `> Draft\n${BASE}`
    const theirs = `${BASE}Last line\n`
    expect(mergeThreeWay(BASE, mine, theirs).text).toBe(`> Draft\n${BASE}Last line\n`)
  })

  it('reports a conflict when both sides changed the same line differently, with all three sides', () => {
    const mine = BASE.replace('Ping it', 'Ping it twice')
    const theirs = BASE.replace('Ping it', 'Ping the gateway')
    const merged = mergeThreeWay(BASE, mine, theirs)
    expect(merged.conflicts).toBe(1)
    expect(merged.text).toBeNull()
    expect(merged.chunks.find((c) => c.kind === 'conflict')).toEqual({
      kind: 'conflict',
      base: ['- [ ] Ping it'],
      mine: ['- [ ] Ping it twice'],
      theirs: ['- [ ] Ping the gateway'],
    })
  })

  it('keeps the agreed lines around a conflict, so nothing else is lost', () => {
    const merged = mergeThreeWay(BASE, BASE.replace('Ping it', 'A'), BASE.replace('Ping it', 'B'))
    const flat = merged.chunks.flatMap((c) => (c.kind === 'ok' ? c.lines : ['<conflict>']))
    expect(flat).toEqual([
      '# Switch down',
      '',
      '## Steps',
      '- [ ] Check power',
      '<conflict>',
      '',
      '## Escalate',
      'Call the NOC',
    ])
  })

  it('reports deletion on one side against an edit on the other as a conflict', () => {
    const mine = BASE.replace('- [ ] Ping it\n', '')
    const theirs = BASE.replace('Ping it', 'Ping it from the office')
    const merged = mergeThreeWay(BASE, mine, theirs)
    expect(merged.conflicts).toBe(1)
    expect(merged.chunks.find((c) => c.kind === 'conflict')).toEqual({
      kind: 'conflict',
      base: ['- [ ] Ping it'],
      mine: [],
      theirs: ['- [ ] Ping it from the office'],
    })
    // …in either direction.
    expect(mergeThreeWay(BASE, theirs, mine).conflicts).toBe(1)
  })

  it('takes a deletion when the other side left the lines alone', () => {
    const mine = BASE.replace('## Escalate\nCall the NOC\n', '')
    expect(mergeThreeWay(BASE, mine, BASE).text).toBe(mine)
    expect(mergeThreeWay(BASE, BASE, mine).text).toBe(mine)
  })

  it('takes the same deletion on both sides once', () => {
    const both = BASE.replace('- [ ] Check power\n', '')
    expect(mergeThreeWay(BASE, both, both).text).toBe(both)
  })

  it('reports two insertions at the same place as a conflict (the order is the author’s call)', () => {
    const mine = BASE.replace('Call the NOC\n', 'Call the NOC\nMine\n')
    const theirs = BASE.replace('Call the NOC\n', 'Call the NOC\nTheirs\n')
    const merged = mergeThreeWay(BASE, mine, theirs)
    expect(merged.conflicts).toBe(1)
    expect(merged.chunks.at(-1)).toEqual({ kind: 'conflict', base: [], mine: ['Mine'], theirs: ['Theirs'] })
  })

  it('counts separate conflicts separately', () => {
    const mine = BASE.replace('Check power', 'M1').replace('Call the NOC', 'M2')
    const theirs = BASE.replace('Check power', 'T1').replace('Call the NOC', 'T2')
    expect(mergeThreeWay(BASE, mine, theirs).conflicts).toBe(2)
  })

  it('reads CRLF as LF and merges from empty sources', () => {
    expect(mergeThreeWay(BASE.replace(/\n/g, '\r\n'), BASE, BASE).text).toBe(BASE)
    expect(mergeThreeWay('', 'a\n', '')).toMatchObject({ conflicts: 0, text: 'a\n' })
    expect(mergeThreeWay('', '', '')).toEqual({ conflicts: 0, chunks: [], text: '' })
    expect(mergeThreeWay('', 'a\n', 'b\n').conflicts).toBe(1)
  })

  it('always gives back every line of a clean side: merging with an unchanged base returns the other side', () => {
    const variants = ['', 'x\n', BASE, BASE.replace('## Steps', '## Do this'), doc('a', 'b', 'a', 'b', 'a')]
    for (const v of variants) {
      expect(mergeThreeWay(BASE, v, BASE).text).toBe(v)
      expect(mergeThreeWay(BASE, BASE, v).text).toBe(v)
    }
  })
})
