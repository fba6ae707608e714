import { describe, expect, it } from 'vitest'
import { parseFragment } from '../../build/runbooks/test-html'
import { readFieldFile } from '../../tests/fixtures/field'
import { compileRunbook } from './compile'
import { domainLikeNames } from './linkify'

const links = (html: string) =>
  Array.from(parseFragment(html).querySelectorAll('a')).map((a) => ({
    text: a.textContent,
    href: a.getAttribute('href'),
  }))

describe('linkify: only text that says it is an address becomes a link', () => {
  // ../shared/field/linkify.md: a runbook whose steps name files in plain text.
  const field = compileRunbook(readFieldFile('linkify.md'), 'restore-config-backup.md')

  it('leaves the file names of the field runbook as text, with no new-tab links', () => {
    expect(links(field.html)).toEqual([])
    const text = parseFragment(field.html).textContent
    for (const name of [
      'backup.sh',
      'restore.py',
      'README.md',
      'switch-core.cfg',
      'config.sh',
      'notes.md',
      './switch-down.md',
    ])
      expect(text).toContain(name)
    expect(field.steps.map((s) => s.text)).toEqual([
      'Run backup.sh on the jump host, then check that restore.py finished.',
      'Read README.md in the backup folder before you touch anything.',
      'Compare the running config with switch-core.cfg and with the file named config.sh.',
      'Send the diff to the network lead (see notes.md) and open the runbook at ./switch-down.md',
    ])
  })

  it('warns, once, about the bare names that look like web addresses', () => {
    const warning = field.warnings.find((w) => w.includes('not linked'))
    expect(warning).toBeDefined()
    for (const name of ['backup.sh', 'restore.py', 'README.md', 'config.sh']) expect(warning).toContain(`"${name}"`)
    expect(warning).not.toContain('switch-core.cfg') // .cfg is no domain: nothing to warn about
    expect(field.warnings.filter((w) => w.includes('not linked'))).toHaveLength(1)
    expect(field.errors).toEqual([])
  })

  it('still links http(s)://, www. and mailto:, and only those', () => {
    const runbook = compileRunbook(
      [
        '# Links',
        'Vendor https://support.vendor.example/case?id=7 and http://10.0.0.1/status.',
        'Portal www.district.example/help, then ask mailto:helpdesk@district.example.',
        'Not these: ftp://files.example/x, //cdn.example/y, ops@district.example, example.com, intranet.',
        'Already code: `backup.sh`, and [a real link](https://docs.example/backup.sh).',
      ].join('\n\n'),
      'links.md',
    )
    expect(links(runbook.html)).toEqual([
      { text: 'https://support.vendor.example/case?id=7', href: 'https://support.vendor.example/case?id=7' },
      { text: 'http://10.0.0.1/status', href: 'http://10.0.0.1/status' },
      { text: 'www.district.example/help', href: 'https://www.district.example/help' },
      { text: 'mailto:helpdesk@district.example', href: 'mailto:helpdesk@district.example' },
      { text: 'a real link', href: 'https://docs.example/backup.sh' },
    ])
    // Bare names in code or inside a link are not reported; example.com in prose is.
    expect(runbook.warnings).toEqual([
      expect.stringMatching(/^"example\.com" looks like a web address but is not linked/),
    ])
  })

  it('lists the names a fuzzy linkifier would have linked', () => {
    expect(domainLikeNames('run backup.sh then see example.org')).toEqual(['backup.sh', 'example.org'])
    expect(domainLikeNames('https://a.example www.b.example mailto:c@d.example plain words')).toEqual([])
    expect(domainLikeNames('')).toEqual([])
  })
})
