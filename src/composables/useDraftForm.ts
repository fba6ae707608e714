import { computed, type ComputedRef, type Ref } from 'vue'
import { useDraft, type UseDraftReturn } from './useDraft'

export interface UseDraftFormOptions<F extends string> {
  /** The form's key, including the incident id (and the entry's, for per-entry forms): `change:<incidentId>`. */
  key: string
  /** Each field's untouched value, usually ''. Each field is stored under `<key>:<field>`. */
  fields: Record<F, string>
}

export interface UseDraftFormReturn<F extends string> {
  /** One ref per field, for v-model. */
  fields: Record<F, Ref<string>>
  /** Any field holds unsaved typed text. */
  dirty: ComputedRef<boolean>
  /** After a successful save: every field back to its untouched value, the drafts forgotten. */
  clear: () => void
  /** Per-field controls (prefill a generated text, reset one field). */
  drafts: Record<F, UseDraftReturn>
}

/**
 * A form whose every field is a draft (useDraft): what the person typed
 * survives a reload, an app update and a crash, until `clear()` after the save.
 * Never use it for secrets such as an access token: drafts sit in localStorage
 * in plain text.
 */
export function useDraftForm<F extends string>(options: UseDraftFormOptions<F>): UseDraftFormReturn<F> {
  const names = Object.keys(options.fields) as F[]
  const drafts = {} as Record<F, UseDraftReturn>
  const fields = {} as Record<F, Ref<string>>
  for (const name of names) {
    drafts[name] = useDraft({ key: `${options.key}:${name}`, initial: options.fields[name] })
    fields[name] = drafts[name].text
  }
  return {
    fields,
    drafts,
    dirty: computed(() => names.some((name) => drafts[name].dirty.value)),
    clear: () => {
      for (const name of names) drafts[name].reset(options.fields[name])
    },
  }
}
