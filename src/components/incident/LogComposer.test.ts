// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../../tests/fixtures/app'
import { useIncidentsStore } from '../../stores/incidents'
import LogComposer from './LogComposer.vue'

async function setup() {
  const { pinia, db } = await freshApp()
  const store = useIncidentsStore()
  const declared = await store.declare({ title: 'Test', severity: 3 })
  if (!declared.ok) throw new Error(declared.reason)
  const wrapper = mount(LogComposer, { props: { incidentId: declared.value }, global: { plugins: [pinia] } })
  return { wrapper, store, db, pinia, incidentId: declared.value }
}

afterEach(() => {
  useIncidentsStore().stop()
  localStorage.clear()
  vi.restoreAllMocks()
})

describe('LogComposer', () => {
  it('adds an entry with its kind and clears the field only after it is stored', async () => {
    const { wrapper, store, incidentId } = await setup()
    await wrapper.find('textarea').setValue('Rebooted core-sw-1')
    await wrapper.find('input[value="decision"]').setValue(true)
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() =>
      expect([...store.incident(incidentId)!.entries.values()].map((e) => [e.text, e.kind])).toEqual([
        ['Rebooted core-sw-1', 'decision'],
      ]),
    )
    await flushPromises()
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('')
  })

  it('refuses an empty entry with a message beside the field', async () => {
    const { wrapper, db } = await setup()
    await wrapper.find('textarea').setValue('   ')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toBe('Type what you did or saw first.')
    expect(wrapper.find('textarea').attributes('aria-invalid')).toBe('true')
    expect(await db.events.count()).toBe(1)
  })

  it('refuses an entry over 4000 characters and keeps it in the field', async () => {
    const { wrapper, db } = await setup()
    const long = 'z'.repeat(4001)
    await wrapper.find('textarea').setValue(long)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toContain('at most 4000 characters')
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe(long)
    expect(await db.events.count()).toBe(1)
  })

  it('keeps the text when the database write fails', async () => {
    const { wrapper, db, store, incidentId } = await setup()
    vi.spyOn(db.events, 'bulkAdd').mockRejectedValueOnce(new Error('QuotaExceededError'))
    await wrapper.find('textarea').setValue('Important note')
    await wrapper.find('form').trigger('submit')
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').text()).toContain('Not saved: QuotaExceededError'))
    expect((wrapper.find('textarea').element as HTMLTextAreaElement).value).toBe('Important note')
    expect(store.incident(incidentId)!.entries.size).toBe(0)
    expect(await db.events.count()).toBe(1)
  })

  it('keeps a draft across a reload of the component', async () => {
    const { wrapper, pinia, incidentId } = await setup()
    await wrapper.find('textarea').setValue('half-typed')
    wrapper.unmount()
    const again = mount(LogComposer, { props: { incidentId }, global: { plugins: [pinia] } })
    expect((again.find('textarea').element as HTMLTextAreaElement).value).toBe('half-typed')
  })
})
