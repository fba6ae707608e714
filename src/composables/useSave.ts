import { ref, type Ref } from 'vue'
import type { CommandResult, FieldErrors } from '../domain/command-result'
import { isStorageFull, STORAGE_FULL_MESSAGE } from '../stores/local-database'

export interface UseSaveOptions {
  /** First words of the message when saving throws (the phone's database failed), e.g. 'Not posted'. */
  failure?: string
  /** Said after the failure, e.g. that the typed text is still in the form. */
  hint?: string
}

export interface UseSave {
  /** True while a save is under way: forms disable their button so one tap records one event. */
  saving: Ref<boolean>
  /** Why the last save failed, for a role=alert; '' when it did not, or when the fault was in the fields. */
  error: Ref<string>
  /** The last save's field errors (field → message, shown beside the field); empty when none. */
  fields: Ref<FieldErrors>
  /**
   * Clear the errors, run `save`, then `onSaved` with its value (inside the same
   * guard, so a failing follow-up is reported too). Resolves true only when both
   * succeeded; a refused command or a thrown error leaves the form as it was.
   */
  run: <T>(save: () => Promise<CommandResult<T>>, onSaved?: (value: T) => void | Promise<void>) => Promise<boolean>
}

/** The one submit pattern of every form that records an event: saving flag, error text, no lost input. */
export function useSave(options: UseSaveOptions = {}): UseSave {
  const failure = options.failure ?? 'Not saved'
  const saving = ref(false)
  const error = ref('')
  const fields = ref<FieldErrors>({})

  async function run<T>(
    save: () => Promise<CommandResult<T>>,
    onSaved?: (value: T) => void | Promise<void>,
  ): Promise<boolean> {
    error.value = ''
    fields.value = {}
    saving.value = true
    try {
      const result = await save()
      if (!result.ok) {
        // Field errors go beside their fields, not again in the form's message.
        if (result.fields && Object.keys(result.fields).length) fields.value = result.fields
        else error.value = result.reason
        return false
      }
      await onSaved?.(result.value)
      return true
    } catch (e) {
      // A full phone is said in words, not as the database's error (the form keeps the text either way).
      error.value = isStorageFull(e)
        ? STORAGE_FULL_MESSAGE
        : `${failure}: ${(e as Error).message}${options.hint ? `. ${options.hint}` : ''}`
      return false
    } finally {
      saving.value = false
    }
  }

  return { saving, error, fields, run }
}
