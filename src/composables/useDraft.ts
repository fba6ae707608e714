import { computed, onScopeDispose, ref, watch, type ComputedRef, type Ref } from 'vue'
import { registerUnsavedInput } from './unsavedInput'

export interface UseDraftOptions {
  /** Storage key; drafts of different forms must not share one. Include the incident id (and the entry's). */
  key: string
  /** The field's value when nothing was typed (a generated update, the entry being corrected). */
  initial?: string
}

export interface UseDraftReturn {
  /** The field's text: the stored draft if there is one, else `initial`. */
  text: Ref<string>
  /** The person typed something that is not saved: non-empty and different from the untouched value. */
  dirty: ComputedRef<boolean>
  /** After a successful save: back to empty, the draft forgotten. */
  clear: () => void
  /** Start over from `value` (a fresh generated text) as the untouched value; the draft is forgotten. */
  reset: (value: string) => void
  /** Use `value` as the untouched value, unless the person already has a draft (which wins). */
  prefill: (value: string) => void
}

const PREFIX = 'command-post:draft:'

/**
 * Text being typed, kept in localStorage as it changes, so a reload (an app
 * update, a crash, a dead battery) never loses it. Call `clear()` only after
 * the text has been saved for real. While the field is dirty it counts as this
 * tab's unsaved input (see unsavedInput.ts): an app update waits for it.
 *
 * Only what the person changed is stored: an untouched generated text is
 * generated again next time, from the state as it is then.
 *
 * Hand-written on purpose: VueUse's useLocalStorage saved a dozen lines but
 * added 111 B gzip to the first screen (and 1.8 kB to the composer chunk).
 */
export function useDraft(options: UseDraftOptions): UseDraftReturn {
  const storageKey = PREFIX + options.key
  const untouched = ref(options.initial ?? '')
  const text = ref(read(storageKey) ?? untouched.value)
  const dirty = computed(() => text.value !== '' && text.value !== untouched.value)
  watch([text, untouched], () => {
    try {
      if (dirty.value) localStorage.setItem(storageKey, text.value)
      else localStorage.removeItem(storageKey)
    } catch {
      // Storage full or blocked: the draft still lives in memory.
    }
  })
  onScopeDispose(registerUnsavedInput(() => dirty.value))
  const reset = (value: string) => {
    untouched.value = value
    text.value = value
  }
  return {
    text,
    dirty,
    clear: () => reset(''),
    reset,
    prefill: (value) => {
      if (!dirty.value) reset(value)
    },
  }
}

/** Whether a draft is stored under `key` (a form closed by a reload may open itself again to show it). */
export function hasDraft(key: string): boolean {
  return !!read(PREFIX + key)
}

function read(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}
