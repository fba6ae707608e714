import { computed, watch, type Ref, type ShallowRef } from 'vue'
import {
  UPDATE_DRAFT_PARTS,
  refreshUpdateDraft,
  updateDraftLines,
  type TimeFormat,
  type UpdateDraftLines,
} from '../domain/briefing'
import type { IncidentState } from '../domain/fold'
import { useClockStore } from '../stores/clock'
import { useDraft } from './useDraft'

export interface UseUpdateDraftOptions {
  incidentId: string
  incident: ShallowRef<IncidentState | undefined>
  /** "Next update in (min)" as typed; a value that is not a positive number falls back to the incident's cadence. */
  nextDueMinutes: Ref<number | string>
  /** "Audience" as typed. */
  audience: Ref<string>
  /** How times read to this person (the clock store's `at`). */
  formatTime: () => TimeFormat
}

export interface UseUpdateDraftReturn {
  /** The update's text, for v-model; a draft that survives a reload (useDraft). */
  text: Ref<string>
  /** Bring the generated lines up to date as of now (the next-update time counts from the moment of posting) and return the text. */
  refreshNow: () => string
  /** Start over from a fresh generated draft (after posting, or "Fresh draft"); typed text is dropped. */
  restart: () => void
}

const LINES_PREFIX = 'command-post:update-lines:'

/**
 * The stakeholder update draft as a template over the incident: when the
 * incident, "Next update in", the audience or the clock choice change, lines
 * still exactly as generated are regenerated; lines the person typed or changed
 * stay as they are (`refreshUpdateDraft`). The last generated lines are kept in
 * localStorage beside the draft, so after a reload a line is still known to be
 * generated (its time in particular) and keeps following the form.
 * "Next update by" counts from the clock store's corrected time (the server's
 * clock), as the cadence card does, never from the phone's own clock.
 */
export function useUpdateDraft(options: UseUpdateDraftOptions): UseUpdateDraftReturn {
  const linesKey = LINES_PREFIX + options.incidentId
  const clock = useClockStore()

  function minutes(): number {
    const typed = Number(options.nextDueMinutes.value)
    return typed > 0 ? typed : (options.incident.value?.updateCadenceMinutes ?? 30)
  }
  // Reads the offset: a computed over it regenerates when the offset is learnt or changes.
  function generate(now = clock.correctedNow()): UpdateDraftLines | null {
    const state = options.incident.value
    if (!state) return null
    return updateDraftLines(state, {
      now,
      nextDueMinutes: minutes(),
      audience: options.audience.value,
      formatTime: options.formatTime(),
    })
  }
  const join = (lines: UpdateDraftLines) => UPDATE_DRAFT_PARTS.map((part) => lines[part]).join('\n')

  const first = generate()
  const draft = useDraft({ key: `update:${options.incidentId}`, initial: first ? join(first) : '' })
  // A typed draft from before a reload: its generated lines are the ones stored with it.
  let before: UpdateDraftLines | null = (draft.dirty.value ? readLines(linesKey) : null) ?? first

  function persist(): void {
    try {
      if (draft.dirty.value && before) localStorage.setItem(linesKey, JSON.stringify(before))
      else localStorage.removeItem(linesKey)
    } catch {
      // Storage full or blocked: the lines are still known in memory.
    }
  }

  function apply(after: UpdateDraftLines | null): void {
    if (!after) return
    const generated = join(after)
    if (!before || !draft.dirty.value) draft.reset(generated)
    else {
      const merged = refreshUpdateDraft(draft.text.value, before, after)
      if (merged === generated) draft.reset(generated)
      else draft.text.value = merged
    }
    before = after
    persist()
  }

  const generated = computed(() => generate())
  watch(generated, apply)
  watch(draft.dirty, persist)

  return {
    text: draft.text,
    refreshNow: () => {
      apply(generate())
      return draft.text.value
    },
    restart: () => {
      before = null
      apply(generate())
    },
  }
}

function readLines(key: string): UpdateDraftLines | null {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key) ?? 'null')
    if (!parsed || typeof parsed !== 'object') return null
    const lines = parsed as Record<string, unknown>
    return UPDATE_DRAFT_PARTS.every((part) => typeof lines[part] === 'string') ? (lines as UpdateDraftLines) : null
  } catch {
    return null
  }
}
