import { shallowRef, toValue, triggerRef, watch, type MaybeRefOrGetter, type ShallowRef } from 'vue'
import type { IncidentState } from '../domain/fold'
import { useIncidentsStore } from '../stores/incidents'

export interface UseIncidentOptions {
  id: MaybeRefOrGetter<string>
}

/**
 * One incident's folded state, for components. The store mutates states in
 * place (no deep reactivity: an incident can hold 10,000 entries), so a plain
 * computed would hold the same object and never update; this ref is
 * re-triggered on every `store.revision` tick instead. An incident the phone
 * knows only by its overview (resolved, not folded at start) is folded from
 * its stored events on first use: undefined until then.
 */
export function useIncident(options: UseIncidentOptions): ShallowRef<IncidentState | undefined> {
  const store = useIncidentsStore()
  const incident = shallowRef<IncidentState | undefined>()
  // flush 'sync': a command's caller sees the new state as soon as `record` resolves.
  watch(
    [() => store.revision, () => toValue(options.id)],
    () => {
      const id = toValue(options.id)
      incident.value = store.incident(id)
      if (!incident.value && store.overview(id)) void store.hold(id).catch(() => {})
      triggerRef(incident)
    },
    { immediate: true, flush: 'sync' },
  )
  return incident
}
