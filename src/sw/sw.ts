/// <reference lib="webworker" />
/**
 * The service worker: the app shell, every lazy route chunk and every runbook
 * come from the precache, so the app opens and reads with no network at all.
 * Nothing else is cached: /api answers always come from the network (or fail),
 * never from a stale copy.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { registerBackgroundSync } from './background-sync'
import { registerUpdateReminders } from './notifications'
import { registerPush } from './push'

declare const self: ServiceWorkerGlobalScope

registerBackgroundSync(self)
registerUpdateReminders(self)
registerPush(self)

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()

// Client routes (deep links such as /runbooks/switch-down or /incidents/<id>) open
// offline from the shell. The API is never answered with the shell, nor is the
// stakeholder status page (/status, from the network: it is not precached).
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api(\/|$)/, /^\/status(\.html)?$/] }),
)

// registerType 'prompt': a new version waits until the responder taps "Reload"
// in the update banner (useSwUpdate), which sends this message.
self.addEventListener('message', (event) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting()
})

// Take control at once. On a first visit this makes the open tab offline-capable
// without a reload (a responder may lose the network right after opening the link);
// its precache is the build that page came from. On an update, activation only
// happens after SKIP_WAITING, and the page reloads on controllerchange anyway.
self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim())
})
