/// <reference lib="webworker" />
/**
 * Update reminders: the page posts an `update-due` message when Comms owes
 * stakeholders an update; the worker shows it as a system notification (so
 * it appears with the tab in the background) and opens the incident's
 * Updates tab when tapped.
 */
import { isUpdateDueReminder } from '../domain/cadence'

export function registerUpdateReminders(sw: ServiceWorkerGlobalScope): void {
  sw.addEventListener('message', (event) => {
    if (!isUpdateDueReminder(event.data)) return
    const reminder = event.data
    event.waitUntil(
      sw.registration.showNotification(reminder.title, {
        body: reminder.body,
        // One notification per incident: a newer reminder replaces the older one.
        tag: `update-due:${reminder.incidentId}`,
        data: { url: reminder.url },
        icon: '/pwa-192x192.png',
        badge: '/maskable-icon-192x192.png',
      }),
    )
  })

  sw.addEventListener('notificationclick', (event) => {
    const url = (event.notification.data as { url?: unknown } | null)?.url
    if (typeof url !== 'string' || !url.startsWith('/incidents/')) return
    event.notification.close()
    event.waitUntil(openOrFocus(sw, url))
  })
}

async function openOrFocus(sw: ServiceWorkerGlobalScope, url: string): Promise<void> {
  const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true })
  const client = windows.find((c) => new URL(c.url).origin === sw.location.origin)
  if (client) {
    await client.focus()
    await client.navigate(url).catch(() => undefined)
    return
  }
  await sw.clients.openWindow(url)
}
