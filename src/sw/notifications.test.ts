import { describe, expect, it, vi } from 'vitest'
import type { UpdateDueReminder } from '../domain/cadence'
import { registerUpdateReminders } from './notifications'

type Listener = (event: unknown) => void

/** Just enough of a service worker scope to dispatch its events by hand. */
function fakeWorker(
  windows: { url: string; focus: () => Promise<void>; navigate: (u: string) => Promise<unknown> }[] = [],
) {
  const listeners = new Map<string, Listener>()
  const sw = {
    location: { origin: 'https://cp.example' },
    addEventListener: (type: string, fn: Listener) => listeners.set(type, fn),
    registration: { showNotification: vi.fn(async () => undefined) },
    clients: { matchAll: vi.fn(async () => windows), openWindow: vi.fn(async () => null) },
  }
  registerUpdateReminders(sw as unknown as Parameters<typeof registerUpdateReminders>[0])
  async function dispatch(type: string, init: Record<string, unknown>): Promise<void> {
    const waits: Promise<unknown>[] = []
    listeners.get(type)!({ ...init, waitUntil: (p: Promise<unknown>) => waits.push(p) })
    await Promise.all(waits)
  }
  return { sw, dispatch }
}

const reminder: UpdateDueReminder = {
  type: 'update-due',
  incidentId: 'INC00000001',
  title: 'Update due: Wi-Fi down',
  body: 'Tap to write it.',
  url: '/incidents/INC00000001/updates',
  dueMs: 1,
}

describe('update reminders in the service worker', () => {
  it('shows one notification per incident for an update-due message', async () => {
    const { sw, dispatch } = fakeWorker()
    await dispatch('message', { data: reminder })
    expect(sw.registration.showNotification).toHaveBeenCalledWith(
      'Update due: Wi-Fi down',
      expect.objectContaining({
        body: 'Tap to write it.',
        tag: 'update-due:INC00000001',
        data: { url: '/incidents/INC00000001/updates' },
      }),
    )
  })

  it('ignores other messages (SKIP_WAITING, sync) and malformed reminders', async () => {
    const { sw, dispatch } = fakeWorker()
    await dispatch('message', { data: { type: 'SKIP_WAITING' } })
    await dispatch('message', { data: { ...reminder, url: 'https://elsewhere.example/' } })
    expect(sw.registration.showNotification).not.toHaveBeenCalled()
  })

  it('focuses an open window on the incident when tapped, or opens one', async () => {
    const win = {
      url: 'https://cp.example/incidents',
      focus: vi.fn(async () => undefined),
      navigate: vi.fn(async () => null),
    }
    const open = fakeWorker([win])
    const close = vi.fn()
    await open.dispatch('notificationclick', { notification: { data: { url: reminder.url }, close } })
    expect(close).toHaveBeenCalled()
    expect(win.focus).toHaveBeenCalled()
    expect(win.navigate).toHaveBeenCalledWith(reminder.url)

    const none = fakeWorker([])
    await none.dispatch('notificationclick', { notification: { data: { url: reminder.url }, close: vi.fn() } })
    expect(none.sw.clients.openWindow).toHaveBeenCalledWith(reminder.url)
  })

  it('leaves notifications of other features alone', async () => {
    const { sw, dispatch } = fakeWorker([])
    const close = vi.fn()
    await dispatch('notificationclick', { notification: { data: { url: 'https://evil.example/' }, close } })
    await dispatch('notificationclick', { notification: { data: null, close } })
    expect(close).not.toHaveBeenCalled()
    expect(sw.clients.openWindow).not.toHaveBeenCalled()
  })
})
