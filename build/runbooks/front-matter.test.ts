import { describe, expect, it } from 'vitest'
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
    const result = parseFrontMatter('---\ntitle: ok\nthis is not yaml\n- stray\n---\n')
    expect(result.data).toEqual({ title: 'ok' })
    expect(result.warnings).toHaveLength(2)
    expect(result.warnings[0]).toMatch(/line 3/)
  })

  it('reads TOML and skips its tables', () => {
    const { data, warnings } = parseFrontMatter('+++\ntitle = "Bells"\ntags = ["a", "b"]\nweight = 3\n[menu.main]\nname = "x"\n+++\n')
    expect(warnings).toEqual([])
    expect(data).toEqual({ title: 'Bells', tags: ['a', 'b'], weight: '3' })
  })
})
