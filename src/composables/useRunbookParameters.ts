import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue'
import { useRunbooksStore } from '../stores/runbooks'

export interface UseRunbookParametersOptions {
  /** The incident the runbook is used in; '' when opened on its own (values are then not kept). */
  incidentId: MaybeRefOrGetter<string>
}

export interface UseRunbookParametersReturn {
  /** Values by parameter name, as typed; shared by every runbook of the incident. */
  values: ShallowRef<Readonly<Record<string, string>>>
  /** Change one value (the page shows it at once); kept on `commit`. */
  set: (name: string, value: string) => void
  /** Keep what was typed (on a field's change: leaving it, or picking a value); resolves once stored. */
  commit: () => Promise<void>
  /** Why the last save failed; '' when it did not. */
  error: Ref<string>
}

/**
 * A runbook's parameter values for an incident: read from this phone when the
 * incident is known, written back when a field is left, and on leaving the
 * page. Values typed before the stored ones arrived are kept over them.
 */
export function useRunbookParameters(options: UseRunbookParametersOptions): UseRunbookParametersReturn {
  const store = useRunbooksStore()
  const values = shallowRef<Readonly<Record<string, string>>>({})
  const error = ref('')
  let dirty = false
  let reading = 0

  watch(
    () => toValue(options.incidentId),
    async (incidentId) => {
      const mine = ++reading
      values.value = {}
      dirty = false
      if (!incidentId) return
      const stored = await store.parameterValues(incidentId)
      if (mine === reading) values.value = { ...stored, ...values.value }
    },
    { immediate: true },
  )

  function set(name: string, value: string): void {
    values.value = { ...values.value, [name]: value }
    dirty = true
  }

  async function commit(): Promise<void> {
    const incidentId = toValue(options.incidentId)
    if (!dirty || !incidentId) return
    dirty = false
    error.value = (await store.saveParameterValues(incidentId, values.value)) ?? ''
  }

  // A field still focused when the page goes fires no change event: keep its value anyway.
  onScopeDispose(() => void commit())

  return { values, set, commit, error }
}
