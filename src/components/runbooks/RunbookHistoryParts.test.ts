// @vitest-environment happy-dom
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { RunbookDiff, RunbookVersionInfo } from '../../domain/runbook-wire'
import { mergeThreeWay } from '../../runbooks/merge'
import RunbookDiffView from './RunbookDiffView.vue'
import RunbookMergeConflicts from './RunbookMergeConflicts.vue'
import RunbookVersionList from './RunbookVersionList.vue'

const info = (version: number, extra: Partial<RunbookVersionInfo> = {}): RunbookVersionInfo => ({
  version,
  title: 'Switch down',
  reviewBy: null,
  author: 'Ana',
  at: '2026-12-01T08:00:00.000Z',
  note: '',
  baseVersion: version - 1 || null,
  status: 'proposed',
  publishedAt: null,
  publishedBy: null,
  stale: false,
  ...extra,
})

describe('RunbookVersionList', () => {
  const versions = [
    info(1, { author: 'repository', status: 'published' }),
    info(2, { status: 'published', note: 'Add the UPS' }),
    info(3, { baseVersion: 1, stale: true, note: 'Old edit' }),
    info(4, { baseVersion: 2 }),
  ]
  const list = () => mount(RunbookVersionList, { props: { versions, publishedVersion: 2, busy: false } })

  it('lists versions newest first with author, time (day and zone), note, status and the stale flag', () => {
    const items = list().findAll('li')
    expect(items.map((i) => i.find('strong').text())).toEqual(['Version 4', 'Version 3', 'Version 2', 'Version 1'])
    expect(items[1]!.text()).toContain('stale: edited from version 1')
    expect(items[2]!.text()).toContain('published')
    expect(items[2]!.text()).toContain('Add the UPS')
    expect(items[3]!.text()).toContain('repository')
    expect(items[0]!.find('time').attributes('datetime')).toBe('2026-12-01T08:00:00.000Z')
    expect(items[0]!.find('time').text()).toMatch(/2026/)
  })

  it('offers publish for a current proposal, merge for a stale one, restore for all but the published one', async () => {
    const wrapper = list()
    const buttons = wrapper.findAll('button').map((b) => b.text())
    expect(buttons).toEqual([
      'Publish version 4',
      'Restore version 4',
      'Merge with version 2',
      'Restore version 3',
      'Restore version 1',
    ])
    await wrapper.findAll('button')[0]!.trigger('click')
    await wrapper.findAll('button')[2]!.trigger('click')
    await wrapper.findAll('button')[4]!.trigger('click')
    expect(wrapper.emitted()).toMatchObject({ publish: [[4]], merge: [[3]], restore: [[1]] })
  })
})

describe('RunbookDiffView', () => {
  const diff: RunbookDiff = {
    id: 'switch-down',
    from: 1,
    to: 2,
    added: 1,
    removed: 1,
    sections: [
      {
        heading: '## Steps',
        lines: [
          { op: 'same', text: '- [ ] Check power', fromLine: 1, toLine: 1 },
          { op: 'removed', text: '- [ ] Ping it', fromLine: 2 },
          { op: 'added', text: '- [ ] Ping the gateway', toLine: 2 },
        ],
      },
    ],
  }

  it('marks lines with a sign for the eye and a word for screen readers, by section', () => {
    const wrapper = mount(RunbookDiffView, { props: { diff } })
    expect(wrapper.attributes('aria-label')).toBe('Changes from version 1 to version 2')
    expect(wrapper.find('h3').text()).toBe('## Steps')
    const lines = wrapper.findAll('li').map((li) => li.text().replace(/\s+/g, ' '))
    expect(lines).toEqual(['- [ ] Check power', '−Removed: - [ ] Ping it', '+Added: - [ ] Ping the gateway'])
    expect(wrapper.find('.diff__line--added .diff__mark').attributes('aria-hidden')).toBe('true')
    expect(wrapper.text()).toContain('1 added, 1 removed')
  })
})

describe('RunbookMergeConflicts', () => {
  it('shows both versions side by side, the conflicting blocks marked, and a deletion said as such', () => {
    const base = 'a\nb\nc\n'
    const result = mergeThreeWay(base, 'a\nc\n', 'a\nB\nc\n')
    const wrapper = mount(RunbookMergeConflicts, { props: { chunks: result.chunks, mine: 3, theirs: 2 } })
    const [mine, theirs] = wrapper.findAll('.merge__columns > section')
    expect(mine!.attributes('aria-label')).toBe('Version 3')
    expect(mine!.find('.merge__conflict').text()).toContain('(deleted here)')
    expect(theirs!.find('h3').text()).toBe('Version 2 (published)')
    expect(theirs!.find('.merge__conflict pre').text()).toBe('B')
  })
})
