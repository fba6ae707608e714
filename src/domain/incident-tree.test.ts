import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { foldIncident } from './fold'
import { overviewOf, type IncidentOverview } from './summary'
import { newId } from './ids'
import { incidentForest, incidentRows, passesFilter, type IncidentNode } from './incident-tree'

function incident(title: string, parentId?: string, severity: 1 | 2 | 3 | 4 = 2): IncidentOverview {
  const id = newId()
  const state = foldIncident([
    makeEvent('incident.declared', { title, severity, ...(parentId ? { parentId } : {}) }, { incidentId: id }),
  ])
  if (!state) throw new Error('no state')
  return overviewOf(state)
}

/** The tree as indented titles: easy to read in a failing test. */
function outline(nodes: IncidentNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [
    `${'  '.repeat(depth)}${n.incident.title}${n.context ? ' (context)' : ''}`,
    ...outline(n.children, depth + 1),
  ])
}

describe('incidentForest', () => {
  const top = incident('Campus network down')
  const child = incident('Building B switch', top.id)
  const grandchild = incident('Gym wifi', child.id)
  const greatGrandchild = incident('Gym AP 4', grandchild.id)
  const other = incident('Printer queue')

  it('nests sub-incidents under their top parent at any depth (a grandchild is not a top-level card)', () => {
    const forest = incidentForest([greatGrandchild, other, grandchild, top, child])
    expect(outline(forest)).toEqual([
      'Printer queue',
      'Campus network down',
      '  Building B switch',
      '    Gym wifi',
      '      Gym AP 4',
    ])
    expect(forest[1]!.descendants).toBe(3)
  })

  it('shows a match under its ancestors, marked as context', () => {
    const forest = incidentForest([top, child, grandchild, greatGrandchild, other], new Set([grandchild.id]))
    expect(outline(forest)).toEqual(['Campus network down (context)', '  Building B switch (context)', '    Gym wifi'])
  })

  it('orders by the best score in each subtree when scored, ties in list order', () => {
    const forest = incidentForest(
      [other, top, child],
      new Set([child.id, other.id]),
      new Map([
        [child.id, 3],
        [other.id, 1],
      ]),
    )
    expect(outline(forest)).toEqual(['Campus network down (context)', '  Building B switch', 'Printer queue'])
    const tied = incidentForest(
      [other, top],
      null,
      new Map([
        [other.id, 1],
        [top.id, 1],
      ]),
    )
    expect(outline(tied)).toEqual(['Printer queue', 'Campus network down'])
  })

  it('treats a missing parent or a parent loop as top level, losing nothing', () => {
    const orphan = incident('Orphan', newId())
    const a = incident('Loop A', 'placeholder')
    const b = incident('Loop B', a.id)
    a.parentId = b.id
    expect(outline(incidentForest([orphan, a, b])).sort()).toEqual(['Loop A', 'Loop B', 'Orphan'])
  })
})

describe('incidentRows', () => {
  const top = incident('Campus network down')
  const child = incident('Building B switch', top.id)
  const grandchild = incident('Gym wifi', child.id)
  const sibling = incident('Library switch', top.id)
  const other = incident('Printer queue')
  const forest = incidentForest([top, child, grandchild, sibling, other])

  it('lists parents before their sub-incidents, with depth and place among siblings', () => {
    const rows = incidentRows(forest, new Set(), true)
    expect(rows.map((r) => [r.node.incident.title, r.depth, r.position, r.siblings])).toEqual([
      ['Campus network down', 0, 1, 2],
      ['Building B switch', 1, 1, 2],
      ['Gym wifi', 2, 1, 1],
      ['Library switch', 1, 2, 2],
      ['Printer queue', 0, 2, 2],
    ])
  })

  it('leaves out the sub-incidents of a folded branch, unless folding is off', () => {
    const titles = (collapsible: boolean) =>
      incidentRows(forest, new Set([child.id]), collapsible).map((r) => r.node.incident.title)
    expect(titles(true)).toEqual(['Campus network down', 'Building B switch', 'Library switch', 'Printer queue'])
    expect(titles(false)).toHaveLength(5)
  })
})

describe('passesFilter', () => {
  it('filters by status (open = not resolved), severity and my roles', () => {
    const s = incident('Core switch', undefined, 1)
    const none = { status: null, severity: null, mine: null }
    expect(passesFilter(s, none)).toBe(true)
    expect(passesFilter(s, { ...none, status: 'open' })).toBe(true)
    expect(passesFilter(s, { ...none, status: 'resolved' })).toBe(false)
    expect(passesFilter(s, { ...none, severity: 1 })).toBe(true)
    expect(passesFilter(s, { ...none, severity: 3 })).toBe(false)
    expect(passesFilter(s, { ...none, mine: new Set([s.id]) })).toBe(true)
    expect(passesFilter(s, { ...none, mine: new Set() })).toBe(false)
  })
})
