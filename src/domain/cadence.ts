/**
 * When Comms owes stakeholders the next update. The clock starts at the
 * declaration and restarts with every posted update; an update may name its
 * own next due time (`nextDueMinutes`), else the incident's cadence applies.
 * Times come from the events' hybrid clocks, which never run backwards.
 */
import { hlcMillis } from './hlc'
import type { IncidentState } from './fold'

const MINUTE = 60_000

export type CadenceStatus =
  | { kind: 'off' }
  | { kind: 'due'; dueMs: number; minutesLeft: number }
  | { kind: 'overdue'; dueMs: number; minutesLate: number }

/** When the next update is due, in ms since the epoch; null once resolved. */
export function nextUpdateDueMs(state: IncidentState): number | null {
  if (state.status === 'resolved') return null
  const last = state.updates[state.updates.length - 1]
  if (!last) return state.declaredMs + state.updateCadenceMinutes * MINUTE
  return hlcMillis(last.hlc) + (last.nextDueMinutes ?? state.updateCadenceMinutes) * MINUTE
}

export function cadenceStatus(state: IncidentState, now: number): CadenceStatus {
  return cadenceAt(nextUpdateDueMs(state), now)
}

/** Where an update falling due at `dueMs` (null: none is due) stands at `now` (both ms since the epoch). */
export function cadenceAt(dueMs: number | null, now: number): CadenceStatus {
  if (dueMs === null) return { kind: 'off' }
  if (now < dueMs) return { kind: 'due', dueMs, minutesLeft: Math.ceil((dueMs - now) / MINUTE) }
  return { kind: 'overdue', dueMs, minutesLate: Math.floor((now - dueMs) / MINUTE) }
}

/** "Next update in 12 min" / "Update overdue by 3 min"; empty once resolved. */
export function describeCadence(status: CadenceStatus): string {
  switch (status.kind) {
    case 'off':
      return ''
    case 'due':
      return status.minutesLeft >= 120
        ? `Next update in ${Math.round(status.minutesLeft / 60)} h`
        : `Next update in ${status.minutesLeft} min`
    case 'overdue':
      return status.minutesLate >= 1 ? `Update overdue by ${status.minutesLate} min` : 'Update overdue'
  }
}

/** What the service worker shows when an update falls due (page → SW message). */
export interface UpdateDueReminder {
  type: 'update-due'
  incidentId: string
  title: string
  body: string
  /** Path to open when the notification is tapped. */
  url: string
  dueMs: number
}

export function isUpdateDueReminder(data: unknown): data is UpdateDueReminder {
  if (!data || typeof data !== 'object') return false
  const d = data as Record<string, unknown>
  return (
    d.type === 'update-due' &&
    typeof d.incidentId === 'string' &&
    typeof d.title === 'string' &&
    typeof d.body === 'string' &&
    typeof d.url === 'string' &&
    d.url.startsWith('/') &&
    typeof d.dueMs === 'number'
  )
}

/** The reminder to show for an incident at its next due time; null once resolved. */
export function reminderFor(state: IncidentState): UpdateDueReminder | null {
  const dueMs = nextUpdateDueMs(state)
  if (dueMs === null) return null
  return {
    type: 'update-due',
    incidentId: state.id,
    title: `Update due: ${state.title}`,
    body: state.updates.length
      ? 'Stakeholders are due the next update. Tap to write it.'
      : 'Stakeholders have not heard from you yet. Tap to post the first update.',
    url: `/incidents/${state.id}/updates`,
    dueMs,
  }
}
