import { ref, type Ref } from 'vue'
import type { Validation } from '../domain/events'

export interface UseSaveOptions {
  /** First words of the message when saving throws (the phone's database failed), e.g. 'Not posted'. */
  failure?: string
  /** Said after the failure, e.g. that the typed text is still in the form. */
  hint?: string
}

export interface UseSave {
  /** True while a save is under way: forms disable their button so one tap records one event. */
  saving: Ref<boolean>
  /** Why the last save failed, for a role=alert; '' when it did not. */
  error: Ref<string>
  /**
   * Clear the error, run `save`, then `onSaved` with its value (inside the same
   * guard, so a failing follow-up is reported too). Resolves true only when both
   * succeeded; a rejected event or a thrown error leaves the form as it was.
   */
  run: <T>(save: () => Promise<Validation<T>>, onSaved?: (value: T) => void | Promise<void>) => Promise<boolean>
}

/** The one submit pattern of every form that records an event: saving flag, error text, no lost input. */
export function useSave(options: UseSaveOptions = {}): UseSave {
  const failure = options.failure ?? 'Not saved'
  const saving = ref(false)
  const error = ref('')

  async function run<T>(
    save: () => Promise<Validation<T>>,
    onSaved?: (value: T) => void | Promise<void>,
  ): Promise<boolean> {
    error.value = ''
    saving.value = true
    try {
      const result = await save()
      if (!result.ok) {
        error.value = result.reason
        return false
      }
      await onSaved?.(result.value)
      return true
    } catch (e) {
      error.value = `${failure}: ${(e as Error).message}${options.hint ? `. ${options.hint}` : ''}`
      return false
    } finally {
      saving.value = false
    }
  }

  return { saving, error, run }
}
