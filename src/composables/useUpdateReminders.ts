import { onScopeDispose, watch } from 'vue'
import type { UpdateDueReminder } from '../domain/cadence'
import { reminderFor } from '../domain/cadence'
import { rolesHeldBy } from '../domain/roles'
import { useClockStore } from '../stores/clock'
import { useIncidentsStore } from '../stores/incidents'
import { useProfileStore } from '../stores/profile'
import { useNotificationPermission } from './useNotificationPermission'

export interface UseUpdateRemindersOptions {
  /** How a due reminder reaches the responder; default: the service worker's notification. */
  notify?: (reminder: UpdateDueReminder) => void | Promise<void>
  /** Default: the phone's clock corrected by the server's (the clock store). */
  now?: () => number
}

/**
 * While the app is open, remind whoever holds Comms when an update falls due
 * (a timer per incident they hold Comms in). Asks for notification permission
 * once, when the responder takes Comms during the session — never on load.
 * Closed app: no reminder (no push server); the lists show "update overdue".
 */
export function useUpdateReminders(options: UseUpdateRemindersOptions = {}): void {
  const store = useIncidentsStore()
  const profile = useProfileStore()
  const permission = useNotificationPermission()
  const clock = useClockStore()
  const now = options.now ?? (() => clock.correctedNow())
  const notify = options.notify ?? showReminder
  const timers = new Map<string, { dueMs: number; timer: ReturnType<typeof setTimeout> }>()
  let heldComms: boolean | null = null

  function clear(id: string): void {
    const t = timers.get(id)
    if (t) clearTimeout(t.timer)
    timers.delete(id)
  }

  function schedule(): void {
    const due = new Map<string, UpdateDueReminder>()
    for (const incident of store.incidents) {
      if (!rolesHeldBy(incident, profile.actor).includes('comms')) continue
      const reminder = reminderFor(incident)
      // Past due before we looked: the screen already says "overdue"; do not ring on open.
      if (reminder && reminder.dueMs > now()) due.set(incident.id, reminder)
    }
    for (const id of [...timers.keys()]) if (timers.get(id)!.dueMs !== due.get(id)?.dueMs) clear(id)
    for (const [id, reminder] of due) {
      if (timers.has(id)) continue
      const timer = setTimeout(() => {
        timers.delete(id)
        void notify(reminder)
      }, reminder.dueMs - now())
      timers.set(id, { dueMs: reminder.dueMs, timer })
    }
    const holds = store.incidents.some(
      (i) => i.status !== 'resolved' && rolesHeldBy(i, profile.actor).includes('comms'),
    )
    if (heldComms === false && holds && permission.canAsk.value && !permission.askedBefore()) void permission.request()
    heldComms = holds
  }

  watch([() => store.revision, () => profile.actor], schedule, { immediate: true })
  onScopeDispose(() => {
    for (const id of [...timers.keys()]) clear(id)
  })
}

/** Show the reminder through the service worker (works with the tab in the background). */
async function showReminder(reminder: UpdateDueReminder): Promise<void> {
  if (!('Notification' in window) || Notification.permission !== 'granted') return
  const registration = await navigator.serviceWorker?.getRegistration()
  if (registration?.active) registration.active.postMessage(reminder)
  else new Notification(reminder.title, { body: reminder.body, tag: `update-due:${reminder.incidentId}` })
}
