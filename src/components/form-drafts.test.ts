// @vitest-environment happy-dom
/**
 * Every form that records something keeps what the person typed as a draft,
 * per incident and field: it survives the form being unmounted and mounted
 * again (a reload, an app update, a crash), counts as this tab's unsaved
 * input meanwhile, and is cleared once saved.
 */
import 'fake-indexeddb/auto'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Component } from 'vue'
import { incidentWorld, leaveWorld } from '../../tests/fixtures/incident-world'
import { holderOf } from '../domain/fold'
import { hasUnsavedInput } from '../composables/unsavedInput'
import ChangesForm from './changes/ChangesForm.vue'
import ChangesItem from './changes/ChangesItem.vue'
import CommsComposer from './comms/CommsComposer.vue'
import IncidentAmendForm from './incident/IncidentAmendForm.vue'
import IncidentResolvePanel from './incident/IncidentResolvePanel.vue'
import LogComposer from './incident/LogComposer.vue'
import PlanningTaskForm from './planning/PlanningTaskForm.vue'
import RolesAssignForm from './roles/RolesAssignForm.vue'
import DeclareView from '../views/DeclareView.vue'

type World = Awaited<ReturnType<typeof incidentWorld>>

interface FormCase {
  name: string
  /** What to mount, once the world holds what the form needs. */
  open: (w: World) => Promise<{ component: Component; props: Record<string, unknown> }>
  /** Field selector → what the person types (select values as their option value). */
  typed: (w: World) => Record<string, string>
  /** Shows the form when it sits behind a button; not needed after a remount if a draft reopens it. */
  reveal?: (wrapper: VueWrapper) => Promise<void>
  /** Saves the form as the person would. */
  save: (wrapper: VueWrapper) => Promise<void>
  /** The save reached the incident. */
  saved: (w: World) => boolean
}

const submit = (wrapper: VueWrapper) => wrapper.get('form').trigger('submit')
const click = (label: string) => (wrapper: VueWrapper) =>
  wrapper
    .findAll('button')
    .find((b) => b.text() === label)!
    .trigger('click')
const state = (w: World) => w.store.incident(w.id)!

async function withChange(w: World) {
  const changeId = 'change-0001'
  await w.record('change.made', { changeId, system: 'core-sw-1', what: 'shut port 24', revert: 'no shut port 24' })
  return state(w).changes.get(changeId)!
}

const cases: FormCase[] = [
  {
    name: 'change (system, what, how to revert)',
    open: async (w) => ({ component: ChangesForm, props: { incidentId: w.id } }),
    typed: () => ({ '#change-system': 'core-sw-1', '#change-what': 'shut port 24', '#change-revert': 'no shut' }),
    save: submit,
    saved: (w) => state(w).changes.size === 1,
  },
  {
    name: 'handoff (person, briefing)',
    open: async (w) => ({ component: RolesAssignForm, props: { incidentId: w.id, role: 'ops', mode: 'handoff' } }),
    typed: (w) => ({ [`#assign-person-${w.id}-ops`]: 'Lee', [`#assign-briefing-${w.id}-ops`]: 'Port 24 is shut.' }),
    save: submit,
    saved: (w) => holderOf(state(w), 'ops').name === 'Lee',
  },
  {
    name: 'assign (person)',
    open: async (w) => ({ component: RolesAssignForm, props: { incidentId: w.id, role: 'comms', mode: 'assign' } }),
    typed: (w) => ({ [`#assign-person-${w.id}-comms`]: 'Kim' }),
    save: submit,
    saved: (w) => holderOf(state(w), 'comms').name === 'Kim',
  },
  {
    name: 'task (text, kind, owner)',
    open: async (w) => ({ component: PlanningTaskForm, props: { incidentId: w.id } }),
    typed: (w) => ({
      [`#task-text-${w.id}`]: 'Replace the optic',
      [`#task-kind-${w.id}`]: 'bug',
      [`#task-owner-${w.id}`]: 'Lee',
    }),
    save: submit,
    saved: (w) => [...state(w).tasks.values()].some((t) => t.text === 'Replace the optic' && t.kind === 'bug'),
  },
  {
    name: 'amend (corrected text, reason)',
    open: async (w) => {
      await w.record('log.entry', { text: 'Rebooted sw-1', kind: 'action' })
      const entry = [...state(w).entries.values()][0]!
      return { component: IncidentAmendForm, props: { incidentId: w.id, entry, mode: 'correct' } }
    },
    typed: (w) => {
      const entryId = [...state(w).entries.keys()][0]!
      return {
        [`#amend-text-${entryId}-correct`]: 'Rebooted core-sw-1',
        [`#amend-reason-${entryId}-correct`]: 'wrong switch',
      }
    },
    save: submit,
    saved: (w) => [...state(w).entries.values()][0]!.text === 'Rebooted core-sw-1',
  },
  {
    name: 'resolve note',
    open: async (w) => ({ component: IncidentResolvePanel, props: { incidentId: w.id } }),
    typed: (w) => ({ [`#resolve-note-${w.id}`]: 'Optic replaced, links up' }),
    save: click('Resolve incident'),
    saved: (w) => state(w).status === 'resolved',
  },
  {
    name: 'revert note',
    open: async (w) => ({ component: ChangesItem, props: { incidentId: w.id, change: await withChange(w) } }),
    typed: () => ({ '#revert-note-change-0001': 'port back up' }),
    reveal: click('Mark reverted'),
    save: submit,
    saved: (w) => !!state(w).changes.get('change-0001')!.reverted,
  },
  {
    name: 'declare (title, summary, location, severity)',
    open: async () => ({ component: DeclareView, props: {} }),
    typed: () => ({
      '#declare-title': 'Wi-Fi down in B block',
      '#declare-severity': '2',
      '#declare-location': 'B block',
      '#declare-summary': 'No clients associate',
    }),
    save: submit,
    saved: (w) => w.store.incidents.length === 2,
  },
  {
    name: 'log entry',
    open: async (w) => ({ component: LogComposer, props: { incidentId: w.id } }),
    typed: () => ({ textarea: 'Swapped the patch cable' }),
    save: submit,
    saved: (w) => state(w).entries.size === 1,
  },
  {
    name: 'update',
    open: async (w) => ({ component: CommsComposer, props: { incidentId: w.id } }),
    typed: (w) => ({ [`#update-body-${w.id}`]: 'Wi-Fi is back in B block.' }),
    save: submit,
    saved: (w) => state(w).updates.length === 1,
  },
]

function drafts(): string[] {
  return Object.keys(localStorage).filter((k) => k.startsWith('command-post:draft:'))
}

function valueOf(wrapper: VueWrapper, selector: string): string {
  return (wrapper.get(selector).element as HTMLInputElement).value
}

afterEach(leaveWorld)

describe('form drafts', () => {
  it.each(cases)('$name: survives a remount, counts as unsaved input, and is cleared once saved', async (form) => {
    const w = await incidentWorld()
    const { component, props } = await form.open(w)
    const typed = form.typed(w)
    const first = w.mount(component, props)
    await form.reveal?.(first)
    for (const [selector, value] of Object.entries(typed)) await first.get(selector).setValue(value)
    await flushPromises()
    expect(hasUnsavedInput().value).toBe(true)
    expect(drafts().length).toBeGreaterThan(0)
    expect(drafts().every((k) => k.includes(w.id) || k.startsWith('command-post:draft:declare:'))).toBe(true)
    first.unmount()
    expect(hasUnsavedInput().value).toBe(false)

    // "After the reload": a new component finds every field as typed, the form open again if it was behind a button.
    const again = w.mount(component, props)
    await flushPromises()
    for (const [selector, value] of Object.entries(typed)) expect(valueOf(again, selector)).toBe(value)
    expect(hasUnsavedInput().value).toBe(true)

    await form.save(again)
    await vi.waitFor(() => expect(form.saved(w)).toBe(true))
    await flushPromises()
    expect(drafts()).toEqual([])
    expect(hasUnsavedInput().value).toBe(false)
    again.unmount()
  })
})
