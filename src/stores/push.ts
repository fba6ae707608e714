import { defineStore, acceptHMRUpdate } from 'pinia'
import { ref, shallowRef } from 'vue'
import { localData } from '../db/load'
import { PUSH_TOPICS, type PushTopic } from '../domain/push'
import { fetchPushKey, removeSubscription, saveSubscription } from '../sync/push-api'
import { ServerCallError } from '../sync/server-call'
import { isIos } from './install'
import { useProfileStore } from './profile'
import { useSyncStore } from './sync'

/**
 * Where notifications with the app closed stand on this phone:
 * - `unsupported`: the browser has no Web Push;
 * - `install-first`: iPhone or iPad in a browser tab (push works only in the installed app, iOS 16.4+);
 * - `needs-server`: not joined to a sync server (the server sends them);
 * - `blocked`: the person or the browser refused notifications for this site;
 * - `off` / `on`: with the choices the server keeps for this phone.
 */
export type PushState =
  | { kind: 'unsupported' }
  | { kind: 'install-first' }
  | { kind: 'needs-server' }
  | { kind: 'blocked' }
  | { kind: 'off' }
  | { kind: 'on'; topics: PushTopic[] }

/** The browser parts this store uses; the real ones by default, fakes in tests. */
export interface PushPlatform {
  hasPush: boolean
  ios: boolean
  standalone: boolean
  permission(): NotificationPermission
  requestPermission(): Promise<NotificationPermission>
  registration(): Promise<ServiceWorkerRegistration | undefined>
  fetch: typeof fetch
}

function browserPlatform(): PushPlatform {
  const w = typeof window === 'undefined' ? undefined : window
  const hasPush = !!w && 'serviceWorker' in navigator && 'PushManager' in w && 'Notification' in w
  const standalone =
    !!w &&
    ((typeof w.matchMedia === 'function' && w.matchMedia('(display-mode: standalone)').matches) ||
      (navigator as Navigator & { standalone?: boolean }).standalone === true)
  return {
    hasPush,
    ios: !!w && isIos(navigator),
    standalone,
    permission: () => Notification.permission,
    requestPermission: () => Notification.requestPermission(),
    registration: () => navigator.serviceWorker.getRegistration(),
    fetch: (input, init) => fetch(input, init),
  }
}

/** base64url → bytes, for `applicationServerKey` (Safari wants bytes, not the string). */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/')
  const raw = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
  return Uint8Array.from(raw, (c) => c.charCodeAt(0))
}

function sameKey(held: ArrayBuffer | null, key: Uint8Array): boolean {
  if (!held || held.byteLength !== key.length) return false
  const bytes = new Uint8Array(held)
  return bytes.every((b, i) => b === key[i])
}

const message = (e: unknown) =>
  e instanceof ServerCallError || e instanceof Error ? e.message : 'Something went wrong; try again.'

/**
 * Notifications with the app closed: the Settings section's state and the
 * commands behind its buttons. Permission is asked only by `turnOn`, called
 * from the tap on "Turn on notifications" — never on load.
 */
export const usePushStore = defineStore('push', () => {
  let platform: PushPlatform = browserPlatform()
  const state = shallowRef<PushState>({ kind: 'off' })
  const busy = ref(false)
  const error = ref('')

  /** Tests: replace the browser. */
  function usePlatform(p: PushPlatform): void {
    platform = p
  }

  function settings() {
    const sync = useSyncStore()
    return { serverUrl: sync.serverUrl, token: sync.token }
  }

  function person() {
    const profile = useProfileStore()
    return { id: profile.deviceId, name: profile.name }
  }

  async function subscription(): Promise<PushSubscription | null> {
    return (await platform.registration())?.pushManager.getSubscription() ?? null
  }

  /** What this phone's state is now; when on, sends the subscription again (the name may have changed). */
  async function refresh(): Promise<void> {
    if (!platform.hasPush) {
      state.value = { kind: platform.ios && !platform.standalone ? 'install-first' : 'unsupported' }
      return
    }
    if (!useSyncStore().joined) {
      state.value = { kind: 'needs-server' }
      return
    }
    if (platform.permission() === 'denied') {
      state.value = { kind: 'blocked' }
      return
    }
    const { database, readSetting } = await localData()
    const choices = await readSetting(database(), 'pushChoices')
    const sub = await subscription()
    state.value =
      choices && sub && platform.permission() === 'granted' ? { kind: 'on', topics: choices.topics } : { kind: 'off' }
    if (state.value.kind === 'on' && sub)
      await saveSubscription(settings(), platform.fetch, {
        subscription: sub.toJSON(),
        person: person(),
        topics: choices!.topics,
      }).catch(() => {})
  }

  async function keep(sub: PushSubscription, topics: PushTopic[]): Promise<void> {
    const kept = await saveSubscription(settings(), platform.fetch, {
      subscription: sub.toJSON(),
      person: person(),
      topics,
    })
    const { database, writeSetting } = await localData()
    await writeSetting(database(), 'pushChoices', { topics: kept })
    state.value = { kind: 'on', topics: kept }
  }

  /** From the tap on "Turn on notifications": asks permission (first, inside the tap), subscribes, tells the server. */
  async function turnOn(topics: readonly PushTopic[] = PUSH_TOPICS): Promise<void> {
    error.value = ''
    // Before any other await: Safari shows its prompt only within the tap's own turn.
    const permission = await platform.requestPermission()
    if (permission !== 'granted') {
      state.value = { kind: permission === 'denied' ? 'blocked' : 'off' }
      if (permission !== 'denied') error.value = 'Notifications were not allowed. Tap again to be asked again.'
      return
    }
    busy.value = true
    try {
      const registration = await platform.registration()
      if (!registration) throw new Error('The app’s offline part is not running yet: reload the page, then try again.')
      const key = keyBytes(await fetchPushKey(settings(), platform.fetch))
      let sub = await registration.pushManager.getSubscription()
      // Made with another server's key (the server changed): it cannot receive this server's pushes.
      if (sub && !sameKey(sub.options.applicationServerKey, key)) {
        await sub.unsubscribe()
        sub = null
      }
      sub ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key })
      await keep(sub, [...topics])
    } catch (e) {
      error.value = message(e)
    } finally {
      busy.value = false
    }
  }

  /** Changes what reaches this phone; the server keeps the new choices. */
  async function setTopics(topics: readonly PushTopic[]): Promise<void> {
    error.value = ''
    busy.value = true
    try {
      const sub = await subscription()
      if (!sub) throw new Error('This phone’s subscription is gone: turn notifications on again.')
      await keep(sub, [...topics])
    } catch (e) {
      error.value = message(e)
    } finally {
      busy.value = false
    }
  }

  /** Stops them on this phone: the browser's subscription ends (so the push service refuses the server's sends) and the server forgets it. */
  async function turnOff(): Promise<void> {
    error.value = ''
    busy.value = true
    try {
      const sub = await subscription()
      if (sub) {
        // Offline, the server learns it from the push service (410) the next time it sends.
        await removeSubscription(settings(), platform.fetch, sub.endpoint).catch(() => false)
        await sub.unsubscribe()
      }
      const { database, writeSetting } = await localData()
      await writeSetting(database(), 'pushChoices', null)
      state.value = { kind: 'off' }
    } catch (e) {
      error.value = message(e)
    } finally {
      busy.value = false
    }
  }

  return { state, busy, error, usePlatform, refresh, turnOn, setTopics, turnOff }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(usePushStore, import.meta.hot))
