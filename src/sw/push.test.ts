import { afterEach, describe, expect, it, vi } from 'vitest'
import { database } from '../db/database'
import { writeSetting } from '../db/settings'
import type { PushMessage } from '../domain/push'
import { registerUpdateReminders } from './notifications'
import { FALLBACK_NOTIFICATION, registerPush } from './push'

type Listener = (event: unknown) => void

interface FakeWindow {
  url: string
  focus: () => Promise<void>
  navigate: (u: string) => Promise<unknown>
}

/** Just enough of a service worker scope to dispatch its events by hand, with fake clients. */
function fakeWorker(windows: FakeWindow[] = []) {
  const listeners = new Map<string, Listener>()
  const shown: { title: string; options: NotificationOptions }[] = []
  const sw = {
    location: { origin: 'https://cp.example' },
    addEventListener: (type: string, fn: Listener) => listeners.set(type, fn),
    registration: {
      showNotification: vi.fn(async (title: string, options: NotificationOptions) => {
        shown.push({ title, options })
      }),
      pushManager: { subscribe: vi.fn() },
    },
    clients: { matchAll: vi.fn(async () => windows), openWindow: vi.fn(async () => null) },
    fetch: vi.fn(),
  }
  const scope = sw as unknown as ServiceWorkerGlobalScope
  registerUpdateReminders(scope)
  registerPush(scope)
  async function dispatch(type: string, init: Record<string, unknown>): Promise<void> {
    const waits: Promise<unknown>[] = []
    listeners.get(type)!({ ...init, waitUntil: (p: Promise<unknown>) => waits.push(p) })
    await Promise.all(waits)
  }
  /** A push event whose data is `body` (JSON.stringified unless a string). */
  const push = (body: unknown) =>
    dispatch('push', {
      data: {
        json: () => JSON.parse(typeof body === 'string' ? body : JSON.stringify(body)) as unknown,
      },
    })
  /** Tap the last notification shown, as the browser would: its data goes with the event. */
  const tapLast = (close = vi.fn()) =>
    dispatch('notificationclick', { notification: { data: shown.at(-1)!.options.data, close } })
  return { sw, shown, dispatch, push, tapLast }
}

const message: PushMessage = {
  topic: 'role-assigned',
  incidentId: 'INC00000001',
  title: 'You are Ops: Gym Wi-Fi down',
  url: '/incidents/INC00000001/roles',
}

afterEach(async () => {
  await database().kv.clear()
})

describe('push in the service worker', () => {
  it('shows the server’s message: its title, a fixed line for its topic, one per incident and topic', async () => {
    const { shown, push } = fakeWorker()
    await push(message)
    expect(shown).toEqual([
      {
        title: 'You are Ops: Gym Wi-Fi down',
        options: expect.objectContaining({
          body: 'Tap for the duty card and the handoff.',
          tag: 'role-assigned:INC00000001',
          data: { url: '/incidents/INC00000001/roles' },
        }),
      },
    ])
  })

  it('opens the incident when the notification is tapped: focuses an open window, or opens one', async () => {
    const win = { url: 'https://cp.example/runbooks', focus: vi.fn(async () => {}), navigate: vi.fn(async () => null) }
    const open = fakeWorker([win])
    await open.push(message)
    const close = vi.fn()
    await open.tapLast(close)
    expect(close).toHaveBeenCalled()
    expect(win.focus).toHaveBeenCalled()
    expect(win.navigate).toHaveBeenCalledWith('/incidents/INC00000001/roles')

    const closed = fakeWorker([])
    await closed.push({ ...message, topic: 'update-due', url: '/incidents/INC00000001/updates' })
    await closed.tapLast()
    expect(closed.sw.clients.openWindow).toHaveBeenCalledWith('/incidents/INC00000001/updates')
  })

  it.each([
    ['not JSON', '<html>'],
    ['another origin’s URL', { ...message, url: 'https://evil.example/incidents/x' }],
    ['a script URL', { ...message, url: 'javascript:alert(1)' }],
    ['an unknown topic', { ...message, topic: 'log-entry' }],
  ])('still shows a plain notice for a push it cannot read (%s), which opens the incidents list', async (_, body) => {
    const { sw, shown, push, tapLast } = fakeWorker([])
    await push(body)
    expect(shown).toEqual([
      {
        title: FALLBACK_NOTIFICATION.title,
        options: expect.objectContaining({ body: FALLBACK_NOTIFICATION.body, data: { url: '/incidents/' } }),
      },
    ])
    await tapLast()
    expect(sw.clients.openWindow).toHaveBeenCalledWith('/incidents/')
  })

  it('sends a replaced subscription to the server with this phone’s saved choices', async () => {
    const db = database()
    await writeSetting(db, 'sync', { serverUrl: 'https://cp.example', token: 't'.repeat(43) })
    await writeSetting(db, 'profile', { name: 'Dana', deviceId: 'dana-phone' })
    await writeSetting(db, 'pushChoices', { topics: ['update-due'] })
    const { sw, dispatch } = fakeWorker()
    sw.fetch.mockResolvedValue(new Response(JSON.stringify({ topics: ['update-due'] }), { status: 200 }))
    const newSubscription = {
      toJSON: () => ({ endpoint: 'https://fcm.googleapis.com/fcm/send/new', keys: { p256dh: 'B', auth: 'A' } }),
    }
    await dispatch('pushsubscriptionchange', { newSubscription, oldSubscription: null })
    expect(sw.fetch).toHaveBeenCalledTimes(1)
    const [url, init] = sw.fetch.mock.calls[0] as [string, RequestInit]
    expect(url).toBe('https://cp.example/api/push/subscriptions')
    expect(new Headers(init.headers).get('authorization')).toBe(`Bearer ${'t'.repeat(43)}`)
    expect(JSON.parse(init.body as string)).toEqual({
      endpoint: 'https://fcm.googleapis.com/fcm/send/new',
      keys: { p256dh: 'B', auth: 'A' },
      person: { id: 'dana-phone', name: 'Dana' },
      topics: ['update-due'],
    })
  })

  it('does nothing on a replaced subscription when push was never turned on here', async () => {
    const { sw, dispatch } = fakeWorker()
    await dispatch('pushsubscriptionchange', { newSubscription: { toJSON: () => ({}) }, oldSubscription: null })
    expect(sw.fetch).not.toHaveBeenCalled()
  })
})
