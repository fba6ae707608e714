import { computed, shallowReactive, type ComputedRef } from 'vue'

/**
 * This tab's unsaved input: every mounted draft (useDraft) registers whether
 * it holds text the person typed and has not saved yet. The update flow reads
 * it to decide whether the tab may reload now or must wait for the person.
 *
 * Module-level on purpose: the question is asked per tab, and a tab is one
 * JavaScript realm; each draft unregisters when its component unmounts.
 */
const dirtyFlags = shallowReactive(new Set<() => boolean>())

/** Count `isDirty` (a reactive getter) as this tab's unsaved input until the returned function is called. */
export function registerUnsavedInput(isDirty: () => boolean): () => void {
  dirtyFlags.add(isDirty)
  return () => {
    dirtyFlags.delete(isDirty)
  }
}

const unsaved = computed(() => [...dirtyFlags].some((isDirty) => isDirty()))

/** True while any form shown in this tab holds typed, unsaved text (reactive). */
export function hasUnsavedInput(): ComputedRef<boolean> {
  return unsaved
}
