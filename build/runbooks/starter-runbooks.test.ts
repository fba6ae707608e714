/** The team's own runbooks in runbooks/: they must build cleanly and be usable as checklists. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { collectRunbooks } from './collect'
import { parseFragment } from './test-html'

const DIR = resolve(import.meta.dirname, '../../runbooks')
const STARTERS = [
  'account-compromise',
  'campus-network-outage',
  'dhcp-scope-exhausted',
  'phones-paging-bells-down',
  'roles-quick-card',
  'running-an-incident',
  'switch-down',
  'wifi-auth-failing',
]

describe('starter runbooks', () => {
  const { runbooks, warnings } = collectRunbooks(DIR)
  const byId = new Map(runbooks.map((r) => [r.id, r]))

  it('all build without a warning (front matter, dates, links)', () => {
    expect(warnings).toEqual([])
    expect([...byId.keys()].sort()).toEqual(expect.arrayContaining(STARTERS))
  })

  it.each(STARTERS)('%s has full front matter, at least 3 steps and a table of contents', (id) => {
    const runbook = byId.get(id)
    expect(runbook).toBeDefined()
    if (!runbook) return
    expect(runbook.title.length).toBeGreaterThan(3)
    expect(runbook.summary.length).toBeGreaterThan(40)
    expect(runbook.tags.length).toBeGreaterThanOrEqual(2)
    expect(runbook.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(runbook.steps.length).toBeGreaterThanOrEqual(3)
    expect(runbook.steps.map((s) => s.index)).toEqual(runbook.steps.map((_, i) => i))
    expect(runbook.toc.length).toBeGreaterThanOrEqual(3)
    const lines = readFileSync(resolve(DIR, `${id}.md`), 'utf8').split('\n').length
    expect(lines).toBeGreaterThanOrEqual(60)
    expect(lines).toBeLessThanOrEqual(150)
  })

  it('cross-link to each other through app routes', () => {
    const links = (id: string) =>
      Array.from(parseFragment(byId.get(id)?.html ?? '').querySelectorAll('a')).map((a) => a.getAttribute('href'))
    expect(links('switch-down')).toContain('/runbooks/campus-network-outage')
    expect(links('campus-network-outage')).toEqual(
      expect.arrayContaining(['/runbooks/switch-down', '/runbooks/dhcp-scope-exhausted', '/runbooks/roles-quick-card']),
    )
    expect(links('roles-quick-card')).toContain('/runbooks/running-an-incident')
    for (const runbook of runbooks) {
      for (const href of links(runbook.id)) {
        if (href?.startsWith('/runbooks/'))
          expect(byId.has(href.slice('/runbooks/'.length).split('#')[0] ?? ''), `${runbook.id} → ${href}`).toBe(true)
      }
    }
  })

  it('the roles card states the rules the app relies on', () => {
    const text = byId.get('roles-quick-card')?.text ?? ''
    expect(text).toMatch(/only Ops changes systems/i)
    expect(text).toMatch(/commander holds every role/i)
    expect(text).toMatch(/every 30 minutes/i)
    expect(text).toMatch(/revert/i)
    expect(byId.get('running-an-incident')?.text).toMatch(/offline/i)
  })
})
