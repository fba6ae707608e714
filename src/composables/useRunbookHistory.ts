import { ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { RunbookDiff, RunbookHistory } from '../domain/runbook-wire'
import { mergeThreeWay, type MergeResult } from '../runbooks/merge'
import { useRunbookEditorStore } from '../stores/runbook-editor'

export interface UseRunbookHistoryReturn {
  history: ShallowRef<RunbookHistory | null>
  diff: ShallowRef<RunbookDiff | null>
  /** A merge with conflicts, for showing side by side; null otherwise. */
  conflicts: ShallowRef<{ result: MergeResult; mine: number; theirs: number } | null>
  /** What the last action did, or why it was refused (the server's message). */
  message: Ref<string>
  failure: Ref<string>
  busy: Ref<boolean>
  load: () => Promise<void>
  showDiff: (from: number, to: number) => Promise<void>
  publish: (version: number) => Promise<void>
  restore: (version: number) => Promise<void>
  /** Merges stale proposal `version` with the published version: true when clean (a draft now holds the result). */
  merge: (version: number) => Promise<boolean>
}

/**
 * A runbook's history and review on the server: versions, a diff between any
 * two, publish, restore and the three-way merge of a stale proposal. Needs the
 * server: offline, every action fails with a message and changes nothing.
 */
export function useRunbookHistory(options: { id: () => string }): UseRunbookHistoryReturn {
  const store = useRunbookEditorStore()
  const history = shallowRef<RunbookHistory | null>(null)
  const diff = shallowRef<RunbookDiff | null>(null)
  const conflicts = shallowRef<{ result: MergeResult; mine: number; theirs: number } | null>(null)
  const message = ref('')
  const failure = ref('')
  const busy = ref(false)

  async function act(what: () => Promise<void>): Promise<boolean> {
    busy.value = true
    failure.value = ''
    message.value = ''
    try {
      await what()
      return true
    } catch (e) {
      const text = (e as Error).message
      failure.value = e instanceof TypeError ? 'The server cannot be reached: try again when online.' : text
      return false
    } finally {
      busy.value = false
    }
  }

  const load = async () => {
    await act(async () => {
      history.value = await store.history(options.id())
    })
  }

  return {
    history,
    diff,
    conflicts,
    message,
    failure,
    busy,
    load,
    showDiff: async (from, to) => {
      await act(async () => {
        diff.value = await store.diff(options.id(), from, to)
      })
    },
    publish: async (version) => {
      if (await act(async () => void (await store.publish(options.id(), version)))) {
        await load()
        message.value = `Published version ${version}: phones get it when they next sync.`
      }
    },
    restore: async (version) => {
      let made = 0
      if (await act(async () => void (made = (await store.restore(options.id(), version)).version))) {
        await load()
        message.value = `Version ${version} restored as version ${made}, a proposal: publish it to make it current.`
      }
    },
    merge: async (version) => {
      conflicts.value = null
      let clean = false
      await act(async () => {
        const id = options.id()
        const published = history.value?.publishedVersion
        const mine = await store.version(id, version)
        if (!published || mine.baseVersion === null) throw new Error(`version ${version} has nothing to merge with`)
        const [base, theirs] = await Promise.all([store.version(id, mine.baseVersion), store.version(id, published)])
        const result = mergeThreeWay(base.source, mine.source, theirs.source)
        if (result.text === null) {
          conflicts.value = { result, mine: version, theirs: published }
          return
        }
        const { draft } = await store.openDraft(id)
        if (draft && draft.source !== result.text)
          throw new Error(
            'This phone holds a draft of this runbook: propose or discard it first, so it is not overwritten',
          )
        const note = mine.note ? `${mine.note} (merged with version ${published})` : `Merged with version ${published}`
        await store.saveDraft({
          key: id,
          runbookId: id,
          source: result.text,
          note,
          baseVersion: published,
          updatedAt: new Date().toISOString(),
        })
        clean = true
      })
      return clean
    },
  }
}
