import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref } from 'vue'
import type { IncidentEvent, Validation } from '../domain/events'
import { stepEntries, stepLogText, type ShownVersion } from '../domain/runbooks'
import { localData } from '../db/load'
import type { RunbookStep } from '../runbooks/types'
import { useIncidentsStore } from './incidents'

/**
 * Runbooks on this phone: the responder's favourites and the parameter values
 * typed per incident (settings of this phone, not shared), and the commands
 * that turn a checklist tick into incident events.
 */
export const useRunbooksStore = defineStore('runbooks', () => {
  /** Favourite runbook ids, in the order they were starred. */
  const favourites = ref<string[]>([])
  const loaded = ref(false)
  let loading: Promise<void> | null = null
  // Writes go one after the other, so quick taps are stored in the order they were made.
  let writing: Promise<unknown> = Promise.resolve()
  let toggles = 0

  const favouriteSet = computed(() => new Set(favourites.value))

  /** Reads the favourites once; safe to call from every screen that shows them. */
  function load(): Promise<void> {
    loading ??= localData()
      .then(({ database, readSetting }) => readSetting(database(), 'favouriteRunbooks'))
      .then((stored) => {
        favourites.value = Array.isArray(stored) ? stored.filter((id) => typeof id === 'string') : []
      })
      .catch(() => {
        // Unreadable storage: start with none rather than block the list; the next toggle rewrites it.
      })
      .finally(() => {
        loaded.value = true
      })
    return loading
  }

  function isFavourite(id: string): boolean {
    return favouriteSet.value.has(id)
  }

  /** Star or unstar a runbook. Resolves with null once stored, or the reason it was not (the star is put back). */
  async function toggleFavourite(id: string): Promise<string | null> {
    await load() // a tap before the first read must not be overwritten by it
    const before = favourites.value
    const next = before.includes(id) ? before.filter((f) => f !== id) : [...before, id]
    favourites.value = next
    const mine = ++toggles
    const write = writing.then(async () => {
      const { database, writeSetting } = await localData()
      await writeSetting(database(), 'favouriteRunbooks', next)
    })
    writing = write.catch(() => {})
    try {
      await write
      return null
    } catch (error) {
      // Put it back only if no later tap changed the list since.
      if (toggles === mine) favourites.value = before
      return `Favourite not saved: ${(error as Error).message}`
    }
  }

  /**
   * Tick a step in an incident: one `log.entry` (kind action) naming the
   * runbook and step (its position, its stable id and, for a runbook synced
   * from the server, the version it was ticked in), and the parameter values
   * it was done with (`step.text` already filled in with them). Resolves once
   * it is stored on this phone (and shown), offline too.
   */
  function tickStep(
    incidentId: string,
    runbook: { id: string; title: string; published?: number },
    step: Pick<RunbookStep, 'index' | 'text'> & { id?: string },
    parameters?: Readonly<Record<string, string>>,
  ): Promise<Validation<IncidentEvent>> {
    const values = parameters && Object.keys(parameters).length > 0 ? { ...parameters } : undefined
    return useIncidentsStore().record(incidentId, 'log.entry', {
      text: stepLogText(step.text, runbook.title, step.index, values),
      kind: 'action',
      runbook: {
        id: runbook.id,
        step: step.index,
        ...(runbook.published !== undefined ? { version: runbook.published } : {}),
        ...(step.id ? { stepId: step.id } : {}),
        ...(values ? { parameters: values } : {}),
      },
    })
  }

  /** The runbook parameter values typed for an incident on this phone; empty when none or unreadable. */
  async function parameterValues(incidentId: string): Promise<Record<string, string>> {
    try {
      const { database, readParameterValues } = await localData()
      return await readParameterValues(database(), incidentId)
    } catch {
      return {} // unreadable storage: ask again rather than block the runbook
    }
  }

  /**
   * Keep the values typed for an incident (every runbook of it shares them).
   * Writes go one after the other, so the last typed wins. Resolves with null
   * once stored, or the reason it was not (the values stay on screen).
   */
  async function saveParameterValues(
    incidentId: string,
    values: Readonly<Record<string, string>>,
  ): Promise<string | null> {
    const write = writing.then(async () => {
      const { database, writeParameterValues } = await localData()
      await writeParameterValues(database(), incidentId, values)
    })
    writing = write.catch(() => {})
    try {
      await write
      return null
    } catch (error) {
      return `Values not saved on this phone: ${(error as Error).message}`
    }
  }

  /**
   * Un-tick a step in an incident: strike every entry that ticks it (two phones
   * may have ticked it at once). Nothing is deleted; the entries keep their history.
   * Resolves with null, or the first reason a strike was refused.
   */
  async function untickStep(
    incidentId: string,
    runbookId: string,
    step: number,
    shown?: ShownVersion,
  ): Promise<string | null> {
    const incidents = useIncidentsStore()
    const state = incidents.incident(incidentId)
    if (!state) return 'That incident is not on this phone.'
    for (const entry of stepEntries(state, runbookId, step, false, shown)) {
      const result = await incidents.record(incidentId, 'log.amended', {
        entryId: entry.id,
        struck: true,
        reason: 'Un-ticked in the runbook checklist',
      })
      if (!result.ok) return result.reason
    }
    return null
  }

  return {
    favourites,
    loaded,
    load,
    isFavourite,
    toggleFavourite,
    tickStep,
    untickStep,
    parameterValues,
    saveParameterValues,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useRunbooksStore, import.meta.hot))
