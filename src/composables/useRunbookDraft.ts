import { computed, onScopeDispose, ref, watch, type ComputedRef, type Ref } from 'vue'
import { NEW_RUNBOOK_KEY, useRunbookEditorStore, type RunbookProposal } from '../stores/runbook-editor'
import { registerUnsavedInput } from './unsavedInput'

export interface UseRunbookDraftOptions {
  /** The runbook being edited; null for a new one. */
  id: () => string | null
  /** Milliseconds between the last keystroke and the write (default 300). */
  debounceMs?: number
}

/** Where the editor stands: reading, ready to type, or no source to start from (never opened online). */
export type DraftState = 'loading' | 'ready' | 'no-base'

export interface UseRunbookDraftReturn {
  state: Ref<DraftState>
  source: Ref<string>
  note: Ref<string>
  /** The id typed for a new runbook. */
  newId: Ref<string>
  /** The published version the text was edited from; null for a new runbook. */
  baseVersion: Ref<number | null>
  /** A draft of this runbook is stored on this phone (something was typed and not proposed yet). */
  hasDraft: Ref<boolean>
  /** Typed and not yet written to this phone's database. */
  unsaved: Ref<boolean>
  /** '' or why the last write failed (the text is still in the field). */
  saveError: Ref<string>
  /** The stored proposal for this runbook, kept up to date as the outbox is sent. */
  proposal: ComputedRef<RunbookProposal | null>
  /** Writes the draft now if anything is unsaved (blur, leaving the page). */
  flush: () => Promise<void>
  /** Forgets the draft and starts again from the published source. */
  discard: () => Promise<void>
  /** Stores the proposal (sync sends it); resolves with it as stored, `queued`. */
  propose: () => Promise<RunbookProposal>
}

const NEW_TEMPLATE = '# Title\n\nWhat this runbook is for.\n\n## Steps\n\n- [ ] First step\n'

/**
 * The editor's text, kept on this phone as it is typed: each change is
 * written after a short pause, and at once on blur, when the page is hidden
 * or closed, and when the editor goes away, so a reload or a dead battery
 * loses nothing. Until written it counts as unsaved input (an app update waits).
 */
export function useRunbookDraft(options: UseRunbookDraftOptions): UseRunbookDraftReturn {
  const store = useRunbookEditorStore()
  const key = computed(() => options.id() ?? NEW_RUNBOOK_KEY)
  const state = ref<DraftState>('loading')
  const source = ref('')
  const note = ref('')
  const newId = ref('')
  const baseVersion = ref<number | null>(null)
  const hasDraft = ref(false)
  const saveError = ref('')
  /** Typed and not yet written. */
  const unsaved = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let loading = 0

  async function load(): Promise<void> {
    const mine = ++loading
    state.value = 'loading'
    const id = options.id()
    const { draft } = await store.openDraft(key.value)
    const base = draft || id === null ? null : await store.base(id)
    if (mine !== loading) return
    unsaved.value = false
    hasDraft.value = !!draft
    if (draft) {
      source.value = draft.source
      note.value = draft.note
      newId.value = id === null ? draft.runbookId : id
      baseVersion.value = draft.baseVersion
    } else {
      source.value = id === null ? NEW_TEMPLATE : (base?.source ?? '')
      note.value = ''
      newId.value = id ?? ''
      baseVersion.value = base?.version ?? null
    }
    state.value = draft || id === null || base ? 'ready' : 'no-base'
  }

  const current = () => ({
    key: key.value,
    runbookId: options.id() ?? newId.value.trim(),
    source: source.value,
    note: note.value,
    baseVersion: baseVersion.value,
    updatedAt: new Date().toISOString(),
  })

  async function flush(): Promise<void> {
    clearTimeout(timer)
    if (!unsaved.value || state.value !== 'ready') return
    unsaved.value = false
    try {
      await store.saveDraft(current())
      hasDraft.value = true
      saveError.value = ''
    } catch (e) {
      unsaved.value = true
      saveError.value = `Draft not saved on this phone: ${(e as Error).message}. Copy your text somewhere safe.`
    }
  }

  watch(
    [source, note, newId],
    () => {
      if (state.value !== 'ready') return
      unsaved.value = true
      clearTimeout(timer)
      timer = setTimeout(() => void flush(), options.debounceMs ?? 300)
      // Synchronous: load() sets the fields while 'loading', and that is not typing.
    },
    { flush: 'sync' },
  )
  watch(key, () => void load(), { immediate: true })
  // The sync engine forgets the draft once the server holds exactly what was proposed
  // (src/db/runbook-drafts.ts); text typed since is kept, and then still shown as a draft.
  watch(
    () => store.proposals[key.value]?.state,
    async (proposalState) => {
      if (proposalState !== 'proposed' || unsaved.value || state.value !== 'ready') return
      hasDraft.value = (await store.openDraft(key.value)).draft !== null
    },
  )

  const onHide = () => void flush()
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') void flush()
  }
  if (typeof window !== 'undefined') {
    window.addEventListener('pagehide', onHide)
    document.addEventListener('visibilitychange', onVisibility)
  }
  const unregister = registerUnsavedInput(() => unsaved.value)
  onScopeDispose(() => {
    void flush()
    unregister()
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', onHide)
      document.removeEventListener('visibilitychange', onVisibility)
    }
  })

  return {
    state,
    source,
    note,
    newId,
    baseVersion,
    hasDraft,
    unsaved,
    saveError,
    proposal: computed(() => store.proposals[key.value] ?? null),
    flush,
    async discard() {
      clearTimeout(timer)
      unsaved.value = false
      await store.discardDraft(key.value)
      await load()
    },
    async propose() {
      clearTimeout(timer)
      unsaved.value = false
      const stored = await store.propose(current())
      hasDraft.value = true
      return stored
    },
  }
}
