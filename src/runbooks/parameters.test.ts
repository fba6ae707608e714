import { describe, expect, it } from 'vitest'
import { parseFragment } from '../../build/runbooks/test-html'
import { compileRunbook } from './compile'
import {
  fillParameters,
  fillText,
  missingParameters,
  parseParameters,
  placeholderHtml,
  placeholdersIn,
  recordedValues,
  type RunbookParameter,
} from './parameters'

const source = [
  '---',
  'title: Switch down',
  'parameters:',
  '  switch_ip: Management address of the switch',
  '  campus:',
  '    description: Which campus',
  '    values: [North, South]',
  '---',
  '',
  '- [ ] Ping {{switch_ip}} from the office at {{ campus }}',
  '- [ ] Check the uplink: `show interfaces {{switch_ip}}`',
  '',
  '```sh',
  'ssh admin@{{switch_ip}}',
  'echo "\\{{switch_ip}} stays as written"',
  '```',
  '',
  'Escaped in prose: \\{{campus}}.',
].join('\n')

const text = (html: string) => parseFragment(html).textContent ?? ''

describe('runbook parameters: compiling', () => {
  const runbook = compileRunbook(source, 'switch-down.md')

  it('reads the declarations, in order, with descriptions and allowed values', () => {
    expect(runbook.parameters).toEqual([
      { name: 'switch_ip', description: 'Management address of the switch', values: [] },
      { name: 'campus', description: 'Which campus', values: ['North', 'South'] },
    ])
    expect(runbook.errors).toEqual([])
    expect(runbook.warnings).toEqual([])
  })

  it('marks every use in text, inline code and code blocks, and keeps escaped ones as written', () => {
    const doc = parseFragment(runbook.html)
    const marks = Array.from(doc.querySelectorAll('span.param')).map((el) => el.getAttribute('data-param'))
    expect(marks).toEqual(['switch_ip', 'campus', 'switch_ip', 'switch_ip'])
    expect(doc.querySelector('pre code span.param')?.textContent).toBe('{{switch_ip}}')
    expect(doc.querySelector('pre')?.textContent).toContain('echo "{{switch_ip}} stays as written"')
    expect(text(runbook.html)).toContain('Escaped in prose: {{campus}}.')
    // The marks are exactly what fillParameters looks for.
    expect(runbook.html).toContain(placeholderHtml('switch_ip'))
    // Steps keep the placeholder: the phone fills them for the log.
    expect(runbook.steps[0]?.text).toBe('Ping {{switch_ip}} from the office at {{ campus }}')
  })

  it('refuses a parameter used but not declared, naming it', () => {
    const typo = compileRunbook(source.replace('Ping {{switch_ip}}', 'Ping {{swtich_ip}}'), 'typo.md')
    expect(typo.errors).toEqual([
      'parameter {{swtich_ip}} is used but not declared under "parameters:" in the front matter',
    ])
    const inCode = compileRunbook(source.replace('ssh admin@{{switch_ip}}', 'ssh {{user}}@{{switch_ip}}'), 'code.md')
    expect(inCode.errors).toEqual([expect.stringContaining('{{user}}')])
  })

  it('warns about a declared parameter never used', () => {
    const unused = compileRunbook(
      source.replace('  switch_ip: Management', '  vlan: VLAN id\n  switch_ip: Management'),
      'unused.md',
    )
    expect(unused.errors).toEqual([])
    expect(unused.warnings).toEqual(['parameter "vlan" is declared but never used as {{vlan}}'])
  })

  it('leaves templates alone in a runbook that declares no parameters, with a warning', () => {
    const go = compileRunbook(
      '# Go\n\n```\nkubectl get nodes -o template --template=\'{{range .items}}{{.metadata.name}}{{end}}\'\n```\n\nHugo {{< ref "x.md" >}}\n',
      'go.md',
    )
    expect(go.errors).toEqual([])
    expect(parseFragment(go.html).querySelectorAll('span.param')).toHaveLength(0)
    expect(text(go.html)).toContain('{{range .items}}{{.metadata.name}}{{end}}')
    expect(go.warnings).toContainEqual(
      expect.stringContaining('{{end}} looks like a parameter, but the runbook declares none'),
    )
  })

  it('strips a hand-written placeholder element of what makes it one', () => {
    const forged = compileRunbook(
      '---\ntitle: F\nparameters:\n  x: X\n---\n\n<span class="param" data-param="x">{{x}}</span>\n',
      'forged.md',
    )
    const spans = Array.from(parseFragment(forged.html).querySelectorAll('span'))
    // The text inside is still a use (and marked by the compiler); the outer span lost its class and data-param.
    expect(spans.filter((s) => s.getAttribute('data-param') === 'x')).toHaveLength(1)
    expect(spans.filter((s) => s.className === 'param')).toHaveLength(1)
  })
})

describe('runbook parameters: front matter', () => {
  it('reads the list form too, and skips bad entries with a warning', () => {
    const { parameters, warnings } = parseParameters([
      { name: 'vlan', description: 'VLAN id', values: ['10', '20', '10', ''] },
      { description: 'no name' },
      { name: '1bad' },
      { name: 'vlan', description: 'again' },
      { name: 'port', values: 'Gi1/0/1' },
    ])
    expect(parameters).toEqual([
      { name: 'vlan', description: 'VLAN id', values: ['10', '20'] },
      { name: 'port', description: '', values: [] },
    ])
    expect(warnings).toEqual([
      'parameters: an entry has no "name"; skipped',
      expect.stringContaining('"1bad" is not a parameter name'),
      'parameters: "vlan" is declared twice; the first is kept',
      'parameters: "port" values must be a list; ignored',
    ])
    expect(parseParameters(['switch_ip', 'vlan']).parameters.map((p) => p.name)).toEqual(['switch_ip', 'vlan'])
    expect(
      compileRunbook('+++\ntitle = "T"\nparameters = ["vlan"]\n+++\n`show vlan {{vlan}}`\n', 't.md'),
    ).toMatchObject({ parameters: [{ name: 'vlan' }], errors: [] })
    expect(parseParameters('switch_ip').warnings).toEqual([expect.stringContaining('must be a list')])
    expect(parseParameters(undefined)).toEqual({ parameters: [], warnings: [] })
  })
})

describe('runbook parameters: filling on the phone', () => {
  const parameters: RunbookParameter[] = [
    { name: 'switch_ip', description: '', values: [] },
    { name: 'campus', description: '', values: ['North', 'South'] },
  ]

  it('fills the compiled marks with escaped values and keeps empty ones visible', () => {
    const { html } = compileRunbook(source, 'switch-down.md')
    const filled = fillParameters(html, { switch_ip: ' 10.20.12.5 ', campus: '<b>North</b>' })
    const doc = parseFragment(filled)
    expect(doc.querySelector('pre')?.textContent).toContain('ssh admin@10.20.12.5\n')
    expect(doc.querySelectorAll('span.param[data-filled]')).toHaveLength(4)
    expect(doc.querySelector('b')).toBeNull()
    expect(doc.textContent).toContain('<b>North</b>')
    const empty = parseFragment(fillParameters(html, {}))
    expect(empty.querySelectorAll('span.param[data-empty]')).toHaveLength(4)
    expect(empty.querySelector('pre')?.textContent).toContain('ssh admin@{{switch_ip}}')
  })

  it('fills plain text, and records only declared, allowed, non-empty values', () => {
    expect(fillText('Ping {{switch_ip}} at {{ campus }}', { switch_ip: '10.0.0.1' })).toBe(
      'Ping 10.0.0.1 at {{ campus }}',
    )
    expect(placeholdersIn('a {{x}} b {{ y }} {{x}} {{< ref >}} {{ .Values }}')).toEqual(['x', 'y'])
    expect(recordedValues(parameters, { switch_ip: '10.0.0.1', campus: 'East', other: 'x' })).toEqual({
      switch_ip: '10.0.0.1',
    })
    expect(recordedValues(parameters, { campus: 'South' })).toEqual({ campus: 'South' })
    expect(recordedValues(parameters, { switch_ip: '  ' })).toBeUndefined()
    expect(missingParameters(parameters, { campus: 'South' })).toEqual(['switch_ip'])
  })
})
