// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DHCP_CHANGE, SWITCH_CHANGE, incidentWorld, leaveWorld } from '../../../tests/fixtures/incident-world'
import DocumentPanel from './DocumentPanel.vue'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const printCss = readFileSync(join(import.meta.dirname, '../../styles/document.css'), 'utf8')

afterEach(() => {
  leaveWorld()
  vi.restoreAllMocks()
})

async function busy() {
  const w = await incidentWorld({ summary: 'No network in building B' })
  await w.record('role.assigned', { role: 'ops', person: { name: 'Lee' } })
  await w.record('change.made', SWITCH_CHANGE)
  await w.record('change.made', DHCP_CHANGE)
  await w.record('change.reverted', { changeId: 'CHANGE0002', note: 'back to normal' })
  await w.record('update.posted', { body: 'Building B offline; failing over.', audience: 'Principals' })
  await w.record('task.added', { taskId: 'TASK000001', text: 'Replace the PSU', kind: 'followup', owner: 'Sam' })
  await w.store.declare({ title: 'Gym Wi-Fi', severity: 3, parentId: w.id })
  return w
}

describe('DocumentPanel', () => {
  it('shows the whole state live: roles, changes, latest update and next due, tasks, sub-incidents, timeline', async () => {
    const w = await busy()
    const wrapper = w.mount(DocumentPanel, { incidentId: w.id })
    const doc = wrapper.find('article.document')
    expect(doc.find('h2').text()).toBe('Core switch down')
    expect(doc.text()).toContain('SEV2 · major')
    expect(doc.text()).toContain('No network in building B')
    expect(doc.text()).toContain('Ops: Lee')
    expect(doc.text()).toContain('Comms: Dana (commander)')
    expect(doc.text()).toContain('Open · core-sw-1: shut port 24 — to revert: no shut port 24')
    expect(doc.text()).toContain('Reverted · dhcp: lease 1h — back to normal')
    expect(doc.text()).toContain('Building B offline; failing over.')
    expect(doc.text()).toMatch(/Next update in \d+ min/)
    expect(doc.text()).toContain('☐ Follow-up: Replace the PSU — Sam')
    expect(doc.text()).toContain('SEV3 Gym Wi-Fi: Active')
    expect(doc.findAll('.document__timeline li')).toHaveLength(7)
    await w.record('incident.status', { status: 'resolved' })
    await flushPromises()
    expect(wrapper.find('article.document').text()).toContain('Resolved')
    expect(wrapper.find('article.document').text()).not.toMatch(/Next update in/)
  })

  it('renders the Markdown export, copies it, and downloads it and the activity log', async () => {
    const w = await busy()
    const writeText = vi.fn(async () => undefined)
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const created: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      created.push(blob as Blob)
      return 'blob:test'
    })
    const clicks: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push(this.download)
    })
    const wrapper = w.mount(DocumentPanel, { incidentId: w.id })

    const markdown = (wrapper.find('textarea').element as HTMLTextAreaElement).value
    expect(markdown.startsWith('# Core switch down')).toBe(true)
    expect(markdown).toContain('- Ops: Lee')
    expect(markdown).toContain('**core-sw-1**: shut port 24 — to revert: no shut port 24')
    expect(markdown).toContain('## Sub-incidents\n\n- SEV3 · minor — Gym Wi-Fi: Active')

    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Copy Markdown')!
      .trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(markdown)
    expect(wrapper.find('[role="status"]').text()).toBe('Markdown copied.')

    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Download Markdown')!
      .trigger('click')
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Download activity log')!
      .trigger('click')
    expect(clicks).toEqual(['core-switch-down-incident.md', 'core-switch-down-activity-log.md'])
    expect(await created[0]!.text()).toBe(markdown)
    const activity = await created[1]!.text()
    expect(activity).toMatch(/^# Activity log: Core switch down/)
    expect(activity).toContain('## Dana')
    expect(activity).toContain('Change on core-sw-1: shut port 24')
  })

  it('says so when the clipboard is blocked', async () => {
    const w = await incidentWorld()
    Object.defineProperty(navigator, 'clipboard', {
      value: {
        writeText: vi.fn(async () => {
          throw new Error('denied')
        }),
      },
      configurable: true,
    })
    const wrapper = w.mount(DocumentPanel, { incidentId: w.id })
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Copy Markdown')!
      .trigger('click')
    await flushPromises()
    expect(wrapper.find('[role="status"]').text()).toMatch(/Copy blocked/)
  })

  it('prints, with a print stylesheet that leaves only the document', async () => {
    const w = await incidentWorld()
    const print = vi.fn()
    Object.defineProperty(window, 'print', { value: print, configurable: true })
    const wrapper = w.mount(DocumentPanel, { incidentId: w.id })
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Print')!
      .trigger('click')
    expect(print).toHaveBeenCalledOnce()
    expect(printCss).toMatch(
      /@media print \{[\s\S]*\.incident-tabs,\s+\.status-control,\s+\.open-changes,[^{]*\.document-actions,\s+\.document-markdown \{\s+display: none !important;\s+\}/,
    )
    // Every control of the document tab is marked to stay off paper.
    for (const el of wrapper.findAll('.document-actions, .document-markdown'))
      expect(el.classes()).toContain('no-print')
  })
})
