import { describe, expect, it } from 'vitest'
import { diffLines, MAX_DIFF_CELLS, sectionDiff, splitLines } from './diff'

/** Applies an edit script: the `to` side must come out, and the `from` side must be what went in. */
function sides(lines: ReturnType<typeof diffLines>) {
  return {
    from: lines.filter((l) => l.op !== 'added').map((l) => l.text),
    to: lines.filter((l) => l.op !== 'removed').map((l) => l.text),
  }
}

describe('diffLines', () => {
  it('finds a minimal script: one line changed in the middle', () => {
    const d = diffLines(['a', 'b', 'c'], ['a', 'x', 'c'])
    expect(d.map((l) => `${l.op}:${l.text}`)).toEqual(['same:a', 'removed:b', 'added:x', 'same:c'])
    expect(d[2]).toMatchObject({ toLine: 2 })
    expect(d[3]).toMatchObject({ fromLine: 3, toLine: 3 })
  })

  it('keeps the longest common subsequence when lines move', () => {
    const from = ['1', '2', '3', '4', '5', '6']
    const to = ['2', '3', '1', '4', '6', '7']
    const d = diffLines(from, to)
    expect(sides(d)).toEqual({ from, to })
    expect(d.filter((l) => l.op === 'same')).toHaveLength(4) // 2 3 4 6
  })

  it('reconstructs both sides for random edits', () => {
    let seed = 7
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    for (let round = 0; round < 50; round++) {
      const from = Array.from({ length: rand(30) }, () => String(rand(6)))
      const to = Array.from({ length: rand(30) }, () => String(rand(6)))
      expect(sides(diffLines(from, to))).toEqual({ from, to })
    }
  })

  it('falls back to remove-all/add-all past the table cap, still correct', () => {
    const n = Math.ceil(Math.sqrt(MAX_DIFF_CELLS)) + 1
    const from = Array.from({ length: n }, (_, i) => `a${i}`)
    const to = Array.from({ length: n }, (_, i) => `b${i}`)
    const d = diffLines(from, to)
    expect(sides(d)).toEqual({ from, to })
  })
})

describe('splitLines', () => {
  it('treats CRLF as LF and ignores the final newline', () => {
    expect(splitLines('a\r\nb\n')).toEqual(['a', 'b'])
    expect(splitLines('')).toEqual([])
  })
})

describe('sectionDiff', () => {
  const from = '# Title\n\nIntro\n\n## Steps\n\n- [ ] one\n- [ ] two\n\n## After\n\nDone.\n'

  it('lists only the sections that changed, under their heading', () => {
    const to = from.replace('- [ ] two', '- [ ] two, carefully')
    const d = sectionDiff(from, to)
    expect(d.sections.map((s) => s.heading)).toEqual(['## Steps'])
    expect(d.added).toBe(1)
    expect(d.removed).toBe(1)
    expect(d.sections[0]!.lines.filter((l) => l.op !== 'same').map((l) => l.text)).toEqual([
      '- [ ] two',
      '- [ ] two, carefully',
    ])
  })

  it('does not take a # comment in a code block for a heading', () => {
    const a = '## Fix\n\n```sh\n# restart it\nsystemctl restart x\n```\n'
    const b = a.replace('restart x', 'restart y')
    expect(sectionDiff(a, b).sections.map((s) => s.heading)).toEqual(['## Fix'])
  })

  it('is empty for identical sources', () => {
    expect(sectionDiff(from, from)).toEqual({ added: 0, removed: 0, sections: [] })
  })
})
