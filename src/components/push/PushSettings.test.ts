// @vitest-environment happy-dom
import 'fake-indexeddb/auto'
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../../tests/fixtures/app'
import { readSetting } from '../../db/settings'
import { useIncidentsStore } from '../../stores/incidents'
import { usePushStore, type PushPlatform } from '../../stores/push'
import { useSyncStore } from '../../stores/sync'
import PushSettings from './PushSettings.vue'

const KEY = new Uint8Array(65).fill(7)
KEY[0] = 4
const KEY_B64 = btoa(String.fromCharCode(...KEY))
  .replace(/\+/g, '-')
  .replace(/\//g, '_')
  .replace(/=+$/, '')

/** A browser with Web Push, its permission prompt, and a service worker registration with a push manager. */
function fakePlatform(over: Partial<PushPlatform> = {}) {
  let permission: NotificationPermission = 'default'
  let current: PushSubscription | null = null
  const subscription = {
    endpoint: 'https://fcm.googleapis.com/fcm/send/phone-1',
    options: { applicationServerKey: KEY.buffer },
    toJSON: () => ({
      endpoint: 'https://fcm.googleapis.com/fcm/send/phone-1',
      keys: { p256dh: 'B-key', auth: 'auth-key' },
    }),
    unsubscribe: vi.fn(async () => {
      current = null
      return true
    }),
  } as unknown as PushSubscription
  const pushManager = {
    getSubscription: vi.fn(async () => current),
    subscribe: vi.fn(async (_options: PushSubscriptionOptionsInit) => (current = subscription)),
  }
  const posted: { path: string; body: unknown }[] = []
  const platform: PushPlatform = {
    hasPush: true,
    ios: false,
    standalone: false,
    permission: () => permission,
    requestPermission: vi.fn(async (): Promise<NotificationPermission> => (permission = 'granted')),
    registration: async () => ({ pushManager }) as unknown as ServiceWorkerRegistration,
    fetch: vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const path = new URL(String(input), 'https://cp.example').pathname
      const body = init?.body ? (JSON.parse(init.body as string) as { topics?: string[] }) : undefined
      posted.push({ path, body })
      if (path === '/api/push/key') return Response.json({ publicKey: KEY_B64 })
      if (path === '/api/push/subscriptions') return Response.json({ topics: body!.topics })
      return Response.json({ removed: true })
    }) as typeof fetch,
    ...over,
  }
  return { platform, pushManager, subscription, posted }
}

async function setup(platform: PushPlatform, joined = true) {
  const { pinia, db } = await freshApp()
  if (joined) useSyncStore().$patch({ serverUrl: 'https://cp.example', token: 't'.repeat(43) })
  usePushStore().usePlatform(platform)
  const wrapper = mount(PushSettings, { global: { plugins: [pinia] } })
  await flushPromises()
  return { wrapper, db }
}

afterEach(() => {
  useIncidentsStore().stop()
})

describe('Settings → Notifications', () => {
  it('asks for permission only in the tap that turns them on, then registers this phone with its choices', async () => {
    const fake = fakePlatform()
    const { wrapper, db } = await setup(fake.platform)
    expect(wrapper.get('h2').text()).toBe('Notifications')
    expect(fake.platform.requestPermission).not.toHaveBeenCalled()
    expect(fake.pushManager.subscribe).not.toHaveBeenCalled()

    // Not told about SEV1/SEV2 declarations, say.
    const boxes = wrapper.findAll('input[type="checkbox"]')
    expect(boxes.map((b) => b.element.parentElement!.textContent!.trim())).toEqual([
      'An update is due where I hold Comms',
      'A role is assigned to me',
      'A SEV1 or SEV2 is declared',
      'A task is assigned to me',
    ])
    await boxes[2]!.setValue(false)
    await wrapper.get('button').trigger('click')
    await vi.waitFor(() => expect(wrapper.get('[role="status"]').text()).toContain('On'))
    expect(fake.platform.requestPermission).toHaveBeenCalledTimes(1)
    const options = fake.pushManager.subscribe.mock.calls[0]![0]
    expect(options.userVisibleOnly).toBe(true)
    expect([...(options.applicationServerKey as Uint8Array)]).toEqual([...KEY])
    expect(fake.posted.find((p) => p.path === '/api/push/subscriptions')!.body).toEqual({
      endpoint: 'https://fcm.googleapis.com/fcm/send/phone-1',
      keys: { p256dh: 'B-key', auth: 'auth-key' },
      person: { id: expect.any(String), name: 'Dana' },
      topics: ['update-due', 'role-assigned', 'task-assigned'],
    })
    expect(await readSetting(db, 'pushChoices')).toEqual({ topics: ['update-due', 'role-assigned', 'task-assigned'] })

    // A change of choice goes to the server at once.
    await wrapper.findAll('input[type="checkbox"]')[0]!.setValue(false)
    await vi.waitFor(() =>
      expect(fake.posted.at(-1)!.body).toMatchObject({ topics: ['role-assigned', 'task-assigned'] }),
    )

    await vi.waitFor(() => expect(wrapper.get('button').attributes('disabled')).toBeUndefined())
    expect(wrapper.get('button').text()).toBe('Turn off notifications')
    await wrapper.get('button').trigger('click')
    await vi.waitFor(() => expect(wrapper.get('[role="status"]').text()).toContain('Off'))
    expect(fake.subscription.unsubscribe).toHaveBeenCalled()
    expect(fake.posted.at(-1)).toEqual({
      path: '/api/push/subscriptions/remove',
      body: { endpoint: 'https://fcm.googleapis.com/fcm/send/phone-1' },
    })
    expect(await readSetting(db, 'pushChoices')).toBeNull()
  })

  it('says why it cannot: no server joined, an iPhone browser tab, notifications blocked', async () => {
    expect((await setup(fakePlatform().platform, false)).wrapper.text()).toContain('join it first')
    const iphone = await setup(fakePlatform({ hasPush: false, ios: true }).platform)
    expect(iphone.wrapper.text()).toContain('only the installed app (iOS 16.4 or later)')
    const blocked = await setup(fakePlatform({ permission: () => 'denied' }).platform)
    expect(blocked.wrapper.text()).toContain('blocked for this site')
    expect(blocked.wrapper.find('button').exists()).toBe(false)
  })

  it('shows the server’s refusal and stays off', async () => {
    const fake = fakePlatform()
    fake.platform.fetch = vi.fn(async () =>
      Response.json({ error: { code: 'bad_request', message: 'endpoint must be an https URL' } }, { status: 400 }),
    ) as typeof fetch
    const { wrapper } = await setup(fake.platform)
    await wrapper.get('button').trigger('click')
    await vi.waitFor(() => expect(wrapper.get('[role="alert"]').text()).toBe('endpoint must be an https URL'))
    expect(wrapper.get('[role="status"]').text()).toContain('Off')
  })
})
