import { shallowRef, watch, type ShallowRef } from 'vue'
import type { LogEntry } from '../domain/fold'
import { stepPosition } from '../domain/runbooks'
import { useRunbookCatalogueStore } from '../stores/runbook-catalogue'

/** A ticked step as the version it was ticked in has it. */
export interface RunbookTickStep {
  runbookId: string
  title: string
  /** The server version the tick names. */
  version: number
  /** Position in that version, from 0. */
  position: number
  /** The step's text in that version (parameters as written, `{{switch_ip}}`). */
  text: string
  /**
   * Where the step is in the version this phone shows now, when that is another
   * version: its position there, or null when that version no longer has it.
   * Undefined: the tick's own version is the one shown (or none is synced).
   */
  now?: number | null
}

export interface UseRunbookTickStepReturn {
  /** Null until resolved, and when it cannot be: no version named, or a version this phone never held. */
  step: ShallowRef<RunbookTickStep | null>
}

/**
 * The step a Timeline tick names, resolved in the version it was ticked in
 * (`runbook.version`, read from the versions kept on this phone through the
 * catalogue's `pageAt`): by `stepId` when the entry has one, else by its
 * position `step`. The entry's own text was written when it was ticked and may
 * since have been corrected; this is what that version of the runbook said.
 * A tick without a version (the build's copy) is left to its own text.
 */
export function useRunbookTickStep(options: { runbook: () => LogEntry['runbook'] }): UseRunbookTickStepReturn {
  const catalogue = useRunbookCatalogueStore()
  const step = shallowRef<RunbookTickStep | null>(null)
  let asked = 0

  async function resolve(ref: LogEntry['runbook']): Promise<RunbookTickStep | null> {
    if (!ref || ref.version === undefined) return null
    const page = await catalogue.pageAt(ref.id, ref.version)
    if (!page) return null
    const found =
      ref.stepId !== undefined
        ? page.steps.find((s) => s.id === ref.stepId)
        : page.steps.find((s) => s.index === ref.step)
    if (!found) return null
    // Found in its own version, the step has an id even when the entry has none (an older phone's).
    const current = catalogue.synced.get(ref.id)
    const moved =
      current && current.published !== ref.version
        ? {
            now:
              stepPosition({ ...ref, stepId: found.id }, { version: current.published, steps: current.steps }) ?? null,
          }
        : {}
    return {
      runbookId: ref.id,
      title: page.title,
      version: ref.version,
      position: found.index,
      text: found.text,
      ...moved,
    }
  }

  watch(
    () => {
      const ref = options.runbook()
      return ref ? `${ref.id}\n${ref.version ?? ''}\n${ref.stepId ?? ''}\n${ref.step ?? ''}` : ''
    },
    () => {
      const mine = ++asked
      void resolve(options.runbook())
        .catch(() => null)
        .then((resolved) => {
          if (mine === asked) step.value = resolved
        })
    },
    { immediate: true },
  )
  // A newer version synced meanwhile changes where the step is now.
  watch(
    () => catalogue.synced,
    () => {
      if (step.value) void resolve(options.runbook()).then((resolved) => (step.value = resolved))
    },
  )
  return { step }
}
