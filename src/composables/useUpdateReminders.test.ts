// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent } from 'vue'
import { incidentWorld } from '../../tests/fixtures/incident-world'
import type { UpdateDueReminder } from '../domain/cadence'
import { hlcMillis } from '../domain/hlc'
import { useIncidentsStore } from '../stores/incidents'
import { useUpdateReminders } from './useUpdateReminders'

const MIN = 60_000
const START = Date.UTC(2026, 10, 24, 9, 0)

afterEach(() => {
  useIncidentsStore().stop()
  localStorage.clear()
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

async function world() {
  // Only the clock and timers are fake: IndexedDB keeps its own scheduling.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
  vi.setSystemTime(START)
  const w = await incidentWorld({ title: 'Wi-Fi down' })
  const notify = vi.fn<(r: UpdateDueReminder) => void>()
  const Host = defineComponent({
    setup() {
      useUpdateReminders({ notify })
    },
    render: () => null,
  })
  return { ...w, notify, host: () => mount(Host, { global: { plugins: [w.pinia] } }) }
}

describe('useUpdateReminders', () => {
  it('reminds the Comms holder when the next update falls due', async () => {
    const w = await world()
    vi.setSystemTime(START + MIN)
    w.host()
    vi.advanceTimersByTime(29 * MIN - 10)
    expect(w.notify).not.toHaveBeenCalled()
    vi.advanceTimersByTime(20)
    expect(w.notify).toHaveBeenCalledOnce()
    expect(w.notify.mock.calls[0]![0]).toMatchObject({
      type: 'update-due',
      incidentId: w.id,
      title: 'Update due: Wi-Fi down',
      url: `/incidents/${w.id}/updates`,
    })
  })

  it('does not remind someone who does not hold Comms', async () => {
    const w = await world()
    await w.record('role.assigned', { role: 'comms', person: { name: 'Kim' } })
    w.host()
    vi.advanceTimersByTime(60 * MIN)
    expect(w.notify).not.toHaveBeenCalled()
  })

  it('does not ring on open for an update already overdue', async () => {
    const w = await world()
    vi.setSystemTime(START + 40 * MIN)
    w.host()
    vi.advanceTimersByTime(60 * MIN)
    expect(w.notify).not.toHaveBeenCalled()
  })

  it('reschedules when an update is posted, and stops once resolved', async () => {
    const w = await world()
    w.host()
    vi.setSystemTime(START + 10 * MIN)
    await w.record('update.posted', { body: 'Working on it', nextDueMinutes: 5 })
    vi.advanceTimersByTime(5 * MIN + 10)
    expect(w.notify).toHaveBeenCalledOnce()
    expect(w.notify.mock.calls[0]![0].dueMs).toBe(hlcMillis(w.store.incident(w.id)!.updates[0]!.hlc) + 5 * MIN)
    await w.record('update.posted', { body: 'Still on it', nextDueMinutes: 5 })
    await w.record('incident.status', { status: 'resolved' })
    vi.advanceTimersByTime(60 * MIN)
    expect(w.notify).toHaveBeenCalledOnce()
  })

  it('clears its timers when the page goes away', async () => {
    const w = await world()
    const host = w.host()
    host.unmount()
    vi.advanceTimersByTime(60 * MIN)
    expect(w.notify).not.toHaveBeenCalled()
  })

  it('asks for notification permission when Comms comes to me during the session, never on load, once', async () => {
    const request = vi.fn(async () => 'default' as NotificationPermission)
    vi.stubGlobal(
      'Notification',
      Object.assign(function Notification() {}, { permission: 'default', requestPermission: request }),
    )
    const w = await world()
    w.host()
    expect(request).not.toHaveBeenCalled()
    await w.record('role.assigned', { role: 'comms', person: { name: 'Kim' } })
    await w.record('role.assigned', { role: 'comms', person: { name: 'Dana' } })
    expect(request).toHaveBeenCalledOnce()
    await w.record('role.assigned', { role: 'comms', person: { name: 'Kim' } })
    await w.record('role.assigned', { role: 'comms', person: { name: 'Dana' } })
    expect(request).toHaveBeenCalledOnce()
  })
})
