// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { binderHtml } from './binder'
import { compileRunbook } from './compile'

const fragment = (html: string) => {
  const template = document.createElement('template')
  template.innerHTML = html
  return template.content
}

describe('binderHtml', () => {
  const source = [
    '# T',
    '',
    '## Check the uplink',
    '',
    'See [below](#a-loop).',
    '',
    '- [ ] Ping it',
    '',
    '```',
    'ping 10.0.0.1',
    '```',
    '',
    '### A loop',
    '',
    '| a |',
    '|---|',
    '| 1 |',
    '',
    '#### Deep',
  ].join('\n')
  const html = binderHtml(compileRunbook(source, 't.md').html, 'b2', 'Switch down')
  const doc = fragment(html)

  it('prefixes ids and what points at them, so many runbooks share one document', () => {
    expect(Array.from(doc.querySelectorAll('[id]')).map((el) => el.id)).toEqual([
      'b2-check-the-uplink',
      'b2-cp-step-0',
      'b2-a-loop',
      'b2-deep',
    ])
    expect(doc.querySelector('a')?.getAttribute('href')).toBe('#b2-a-loop')
  })

  it('demotes headings under the runbook title (h2)', () => {
    expect(Array.from(doc.querySelectorAll('h1, h2, h3, h4, h5, h6')).map((h) => h.tagName)).toEqual(['H3', 'H4', 'H5'])
  })

  it('names table regions after the runbook', () => {
    expect(doc.querySelector('.table-scroll')?.getAttribute('aria-label')).toBe('Table, Switch down')
  })

  it('turns steps into boxes to tick by hand and drops the copy buttons', () => {
    expect(doc.querySelectorAll('button')).toHaveLength(0)
    const step = doc.querySelector('li.step')
    expect(step?.querySelector('span.step-box[aria-hidden="true"]')).not.toBeNull()
    expect(step?.querySelector('.step-text')?.textContent).toBe('Ping it')
    expect(doc.querySelector('pre')?.textContent).toBe('ping 10.0.0.1\n')
  })
})
