/// <reference lib="webworker" />
/**
 * Web Push (issue #15 item 1): the server's messages arrive here with the app
 * closed. Each is shown as a system notification — the title it carries, a
 * fixed line for its topic, the incident to open when tapped (the tap itself
 * is handled in ./notifications.ts, with the page's own reminders). Browsers
 * require every push to show something, so a message this version cannot
 * read still shows a plain notice that opens the incidents list.
 *
 * When the browser replaces the subscription (`pushsubscriptionchange`), the
 * new one is sent to the server with the same choices, from this worker: the
 * app may not be open for days.
 */
import { PUSH_TOPIC_BODIES, pushTag, readPushMessage } from '../domain/push'
import { database } from '../db/database'
import { readSetting } from '../db/settings'
import { saveSubscription } from '../sync/push-api'

/** What a push this version cannot read shows. */
export const FALLBACK_NOTIFICATION = {
  title: 'Command Post',
  body: 'Something needs you. Tap to open your incidents.',
  url: '/incidents/',
} as const

function dataOf(event: PushEvent): unknown {
  try {
    return event.data?.json()
  } catch {
    return null
  }
}

/** Listens for the server's pushes and for the browser replacing this phone's subscription. */
export function registerPush(sw: ServiceWorkerGlobalScope): void {
  sw.addEventListener('push', (event) => {
    const message = readPushMessage(dataOf(event))
    const shown = message
      ? sw.registration.showNotification(message.title, {
          body: PUSH_TOPIC_BODIES[message.topic],
          // One per incident and topic: the newer replaces the older (update-due shares the page reminders' tag).
          tag: pushTag(message),
          data: { url: message.url },
          icon: '/pwa-192x192.png',
          badge: '/maskable-icon-192x192.png',
        })
      : sw.registration.showNotification(FALLBACK_NOTIFICATION.title, {
          body: FALLBACK_NOTIFICATION.body,
          tag: 'command-post',
          data: { url: FALLBACK_NOTIFICATION.url },
          icon: '/pwa-192x192.png',
        })
    event.waitUntil(shown)
  })

  sw.addEventListener('pushsubscriptionchange', (event) => {
    event.waitUntil(resubscribe(sw, event))
  })
}

/** Subscribes again with the old options and tells the server, with this phone's saved choices. */
async function resubscribe(sw: ServiceWorkerGlobalScope, event: PushSubscriptionChangeEvent): Promise<void> {
  const db = database()
  try {
    const [sync, profile, choices] = await Promise.all([
      readSetting(db, 'sync'),
      readSetting(db, 'profile'),
      readSetting(db, 'pushChoices'),
    ])
    if (!sync || !profile?.name || !choices) return
    const key = event.oldSubscription?.options.applicationServerKey
    const subscription =
      event.newSubscription ??
      (key ? await sw.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }) : null)
    if (!subscription) return
    await saveSubscription(sync, (input, init) => sw.fetch(input, init), {
      subscription: subscription.toJSON(),
      person: { id: profile.deviceId, name: profile.name },
      topics: choices.topics,
    })
  } catch {
    // Nothing to do from here: Settings shows notifications as off, and turning them on again repairs it.
  }
}
