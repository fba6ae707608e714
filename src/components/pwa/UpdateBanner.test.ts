// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { freshApp, reopenApp } from '../../../tests/fixtures/app'
import { FakeWorkbox } from '../../../tests/fixtures/workbox'
import { useIncidentsStore } from '../../stores/incidents'
import { useSyncStore } from '../../stores/sync'
import { openNewerVersion } from '../../../tests/fixtures/newer-database'
import LogComposer from '../incident/LogComposer.vue'
import UpdateBanner from './UpdateBanner.vue'

// The banner builds its own Workbox: hand it the fake, and act as a production build with service workers.
vi.mock('workbox-window', () => ({ Workbox: FakeWorkbox }))

beforeEach(() => {
  vi.stubEnv('PROD', true)
  Object.defineProperty(navigator, 'serviceWorker', { value: {}, configurable: true })
})

afterEach(() => {
  useIncidentsStore().stop()
  localStorage.clear()
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
  Reflect.deleteProperty(navigator, 'serviceWorker')
})

/** The app as far as this matters: the banner and an incident's log field. */
async function openIncident() {
  const world = await freshApp()
  const declared = await useIncidentsStore().declare({ title: 'Core switch down', severity: 2 })
  if (!declared.ok) throw new Error(declared.reason)
  const Shell = defineComponent(() => () => [h(UpdateBanner), h(LogComposer, { incidentId: declared.value })])
  FakeWorkbox.last = null
  const wrapper = mount(Shell, { global: { plugins: [world.pinia] }, attachTo: document.body })
  // workbox-window loads on demand (useSwUpdate), so the Workbox exists a moment after mount.
  await vi.waitFor(() => expect(FakeWorkbox.last?.registered).toBe(1))
  return { ...world, wrapper, incidentId: declared.value, wb: FakeWorkbox.last! }
}

describe('UpdateBanner', () => {
  it('stays silent until a new version waits, then says so in a status region', async () => {
    const { wrapper, wb } = await openIncident()
    const region = wrapper.find('[role="status"]')
    expect(region.exists()).toBe(true)
    expect(region.text()).toBe('')
    wb.emit('waiting')
    await flushPromises()
    expect(wrapper.find('[role="status"]').text()).toContain('Update available')
    expect(wrapper.get('button.button--primary').text()).toBe('Reload')
    wrapper.unmount()
  })

  it('"Later" hides it without switching versions', async () => {
    const { wrapper, wb } = await openIncident()
    wb.emit('waiting')
    await flushPromises()
    const later = wrapper.findAll('button').find((b) => b.text() === 'Later')!
    await later.trigger('click')
    expect(wrapper.find('[role="status"]').text()).toBe('')
    expect(wb.skipWaitingMessages).toBe(0)
    wrapper.unmount()
  })

  it('an update reload keeps the log entry being typed, unsaved, in the field', async () => {
    const { wrapper, wb, incidentId, dbName, db } = await openIncident()
    let draftAtReload: string | null = null
    const reload = vi.spyOn(window.location, 'reload').mockImplementation(() => {
      draftAtReload = localStorage.getItem(`command-post:draft:log:${incidentId}`)
    })
    wb.emit('waiting')
    await flushPromises()
    await wrapper.get('textarea').setValue('Rebooted core-sw-1, waiting for links to come up')
    await wrapper.get('button.button--primary').trigger('click')
    expect(wb.skipWaitingMessages).toBe(1)
    expect(wrapper.get('button.button--primary').text()).toBe('Reloading…')
    // The new worker takes control: the page reloads.
    wb.emit('controlling', { isUpdate: true })
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
    expect(draftAtReload).toBe('Rebooted core-sw-1, waiting for links to come up')

    // After the reload: same phone, new page. The text is back in the field; nothing was logged by the update.
    wrapper.unmount()
    const { pinia } = await reopenApp(dbName)
    const again = mount(LogComposer, { props: { incidentId }, global: { plugins: [pinia] } })
    expect((again.get('textarea').element as HTMLTextAreaElement).value).toBe(
      'Rebooted core-sw-1, waiting for links to come up',
    )
    expect(await db.events.count()).toBe(1)
    again.unmount()
  })

  it('another tab’s update waits while a keystroke is unsaved here: "Update ready", then reloads once it is logged', async () => {
    const { wrapper, wb, incidentId } = await openIncident()
    const reload = vi.spyOn(window.location, 'reload').mockImplementation(() => {})
    const field = wrapper.get('textarea').element as HTMLTextAreaElement
    field.value = 'Typed the instant before'
    field.dispatchEvent(new Event('input'))
    // No await: the draft watcher has not run yet when the switch happens.
    wb.emit('controlling', { isUpdate: true })
    await flushPromises()
    expect(reload).not.toHaveBeenCalled()
    expect(wrapper.get('[role="status"]').text()).toContain('Update ready — reload when you are done')
    expect(field.value).toBe('Typed the instant before')
    expect(localStorage.getItem(`command-post:draft:log:${incidentId}`)).toBe('Typed the instant before')

    // Submitted: nothing unsaved is left, so the held update goes ahead.
    await wrapper.get('form').trigger('submit')
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
    expect(localStorage.getItem(`command-post:draft:log:${incidentId}`)).toBeNull()
    wrapper.unmount()
  })

  it('"Reload" on "Update ready" reloads at once, with the draft written first', async () => {
    const { wrapper, wb, incidentId } = await openIncident()
    let draftAtReload: string | null = null
    const reload = vi.spyOn(window.location, 'reload').mockImplementation(() => {
      draftAtReload = localStorage.getItem(`command-post:draft:log:${incidentId}`)
    })
    await wrapper.get('textarea').setValue('Half a sentence')
    wb.emit('controlling', { isUpdate: true })
    await flushPromises()
    expect(reload).not.toHaveBeenCalled()
    await wrapper.get('.update-banner button.button--primary').trigger('click')
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
    expect(draftAtReload).toBe('Half a sentence')
    // No worker is asked again: the new version already controls the page.
    expect(wb.skipWaitingMessages).toBe(0)
    wrapper.unmount()
  })

  it('"Later" holds: an update accepted in another tab does not reload this tab while it has unsaved text', async () => {
    const { wrapper, wb } = await openIncident()
    const reload = vi.spyOn(window.location, 'reload').mockImplementation(() => {})
    wb.emit('waiting')
    await flushPromises()
    await wrapper.get('textarea').setValue('Checking the uplink on core-sw-2')
    await wrapper
      .findAll('button')
      .find((b) => b.text() === 'Later')!
      .trigger('click')
    wb.emit('controlling', { isUpdate: true })
    await flushPromises()
    expect(reload).not.toHaveBeenCalled()
    expect(wrapper.get('[role="status"]').text()).toContain('Update ready')
    // Emptied by hand: the tab reloads now, nothing typed is left to interrupt.
    await wrapper.get('textarea').setValue('')
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
    wrapper.unmount()
  })

  it('an update accepted in another tab reloads a tab with nothing typed at once', async () => {
    const { wrapper, wb } = await openIncident()
    const reload = vi.spyOn(window.location, 'reload').mockImplementation(() => {})
    wb.emit('controlling', { isUpdate: true })
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
    wrapper.unmount()
  })

  it('a newer database schema opened elsewhere reloads a tab with nothing typed', async () => {
    const { wrapper, dbName } = await openIncident()
    const reload = vi.spyOn(window.location, 'reload').mockImplementation(() => {})
    const newer = await openNewerVersion(dbName)
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
    newer.close()
    wrapper.unmount()
  })

  it('a newer database schema opened elsewhere: this tab closes its database, stops syncing, keeps the draft, says "Update ready"', async () => {
    const { wrapper, db, dbName, incidentId } = await openIncident()
    const reload = vi.spyOn(window.location, 'reload').mockImplementation(() => {})
    const stopSync = vi.spyOn(useSyncStore(), 'stop')
    await wrapper.get('textarea').setValue('Waiting for the vendor call back')
    const newer = await openNewerVersion(dbName)
    await vi.waitFor(() => expect(wrapper.get('[role="status"]').text()).toContain('Update ready'))
    expect(db.isOpen()).toBe(false)
    expect(stopSync).toHaveBeenCalled()
    expect(reload).not.toHaveBeenCalled()
    expect(localStorage.getItem(`command-post:draft:log:${incidentId}`)).toBe('Waiting for the vendor call back')
    // The newer version opened, with this tab's data.
    expect(await newer.table('events').count()).toBe(1)
    newer.close()
    wrapper.unmount()
  })
})
