import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { collectRunbooks } from '../../build/runbooks/collect'
import { parseFrontMatter } from './front-matter'

describe('parseFrontMatter', () => {
  it('returns the whole source as body when there is no front matter', () => {
    expect(parseFrontMatter('# Title\n\nText')).toEqual({ data: {}, body: '# Title\n\nText', warnings: [] })
  })

  it('reads scalars, quotes, comments, flow and block lists, and block scalars', () => {
    const { data, body, warnings } = parseFrontMatter(
      [
        '\uFEFF---',
        '# a comment',
        'title: "Wi-Fi: \\"staff\\" SSID"',
        "summary: 'It''s down'",
        'owner: network team # trailing comment',
        'url: https://example.org/#anchor',
        'tags: [wifi, "a, b"]',
        'aliases:',
        '- /one/',
        '- /two/',
        'description: >',
        '  Folded',
        '  text.',
        'notes: |',
        '  line one',
        '  line two',
        'menu:',
        '  after:',
        '    weight: -100',
        '---',
        'Body',
      ].join('\r\n'),
    )
    expect(warnings).toEqual([])
    expect(body).toBe('Body')
    expect(data).toEqual({
      title: 'Wi-Fi: "staff" SSID',
      summary: "It's down",
      owner: 'network team',
      url: 'https://example.org/#anchor',
      tags: ['wifi', 'a, b'],
      aliases: ['/one/', '/two/'],
      description: 'Folded text.',
      notes: 'line one\nline two',
    })
  })

  it('accepts "..." as the closing fence', () => {
    expect(parseFrontMatter('---\ntitle: X\n...\nBody').data).toEqual({ title: 'X' })
  })

  it('warns about lines it cannot read and keeps the rest', () => {
    // YAML reads the two stray lines as one (multi-line) key, so one warning, on its first line.
    const result = parseFrontMatter('---\ntitle: ok\nthis is not yaml\n- stray\n---\n')
    expect(result.data).toEqual({ title: 'ok' })
    expect(result.warnings).toEqual([
      expect.stringMatching(/^front matter line 3 is not valid YAML \(.+\): this is not yaml$/),
    ])
  })

  describe('every YAML scalar form', () => {
    const read = (yaml: string) => parseFrontMatter(`---\n${yaml}\n---\nBody`)

    it('folded (>), with its paragraph break and chomping indicators', () => {
      const { data, warnings } = read(
        'summary: >\n  Wi-Fi is down\n  on floor 3.\n\n  Staff use 4G.\nkeep: >+\n  kept\n\nstrip: >-\n  stripped\ntitle: T',
      )
      expect(warnings).toEqual([])
      expect(data).toEqual({
        summary: 'Wi-Fi is down on floor 3.\nStaff use 4G.',
        keep: 'kept',
        strip: 'stripped',
        title: 'T',
      })
    })

    it('literal (|), keeping line breaks and deeper indentation', () => {
      const { data } = read('notes: |\n  step one\n    detail\n  step two\ntitle: T')
      expect(data).toEqual({ notes: 'step one\n  detail\nstep two', title: 'T' })
    })

    it('plain over several lines (the old reader cut it after the first)', () => {
      const { data, warnings } = read('summary: Devices on the staff SSID\n  get no address\n  from DHCP\ntitle: T')
      expect(warnings).toEqual([])
      expect(data.summary).toBe('Devices on the staff SSID get no address from DHCP')
    })

    it('double- and single-quoted over several lines, with escapes', () => {
      const { data } = read('title: "Switch \\"core-1\\"\n  is down"\nsummary: \'It\'\'s the\n\n  uplink\'')
      expect(data).toEqual({ title: 'Switch "core-1" is down', summary: "It's the\nuplink" })
    })

    it('keeps every scalar as the string written: no numbers, booleans or dates', () => {
      expect(read('version: 1.10\nbookHidden: true\nupdated: 2026-03-01\nempty:\ntags: [1.0, yes]').data).toEqual({
        version: '1.10',
        bookHidden: 'true',
        updated: '2026-03-01',
        tags: ['1.0', 'yes'],
      })
    })
  })

  it('names the file line of a YAML error, not a silent cut', () => {
    // The classic slip: an unquoted colon in a value.
    const { data, warnings } = parseFrontMatter(
      '---\ntitle: Printer queue\nsummary: Queue: stuck\ntags: [a]\n---\nBody',
    )
    expect(data.title).toBe('Printer queue')
    expect(warnings).toEqual([
      expect.stringMatching(/^front matter line 3 is not valid YAML \(.+\): summary: Queue: stuck$/),
    ])
  })

  it('reaches the build log naming the runbook file and its line', () => {
    const root = mkdtempSync(join(tmpdir(), 'cp-front-matter-'))
    try {
      mkdirSync(join(root, 'runbooks', 'print'), { recursive: true })
      writeFileSync(
        join(root, 'runbooks', 'print', 'queue.md'),
        '---\ntitle: Printer queue\nsummary: Queue: stuck\n---\n# Printer queue\n',
      )
      const { runbooks, warnings } = collectRunbooks(join(root, 'runbooks'))
      expect(runbooks.map((r) => r.title)).toEqual(['Printer queue'])
      expect(warnings).toEqual([
        expect.stringMatching(/^runbooks\/print\/queue\.md: front matter line 3 is not valid YAML/),
      ])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('warns when the front matter is not a map', () => {
    expect(parseFrontMatter('---\n- a\n- b\n---\n').warnings).toEqual([
      'front matter is not a list of "key: value" lines; ignored',
    ])
  })

  it('reads TOML and skips its tables', () => {
    const { data, warnings } = parseFrontMatter(
      '+++\ntitle = "Bells"\ntags = ["a", "b"]\nweight = 3\n[menu.main]\nname = "x"\n+++\n',
    )
    expect(warnings).toEqual([])
    expect(data).toEqual({ title: 'Bells', tags: ['a', 'b'], weight: '3' })
  })
})
