import { computed, type ComputedRef } from 'vue'
import type { IncidentEvent } from '../domain/events'
import type { IncidentState } from '../domain/fold'
import { peopleSeen, type SeenPerson } from '../domain/people'
import { useIncidentsStore } from '../stores/incidents'

function* allEvents(states: readonly IncidentState[]): Generator<IncidentEvent> {
  for (const s of states) yield* s.events
}

/**
 * Everyone seen in the team's events, across every incident on this phone:
 * the choices for assigning a role or a task. One pass per change.
 */
export function usePeople(): ComputedRef<SeenPerson[]> {
  const store = useIncidentsStore()
  return computed(() => peopleSeen(allEvents(store.incidents)))
}
