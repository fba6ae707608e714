import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue'
import { loadRunbook } from '../runbooks/load'
import type { RunbookMeta, RunbookPage } from '../runbooks/types'

export interface UseRunbookBinderOptions {
  /** The runbooks to bind, in order (the catalog, or the ones with a tag). */
  runbooks: MaybeRefOrGetter<readonly RunbookMeta[]>
  /** Injected in tests; fetches `runbooks/<id>.json` (precached by the service worker) otherwise. */
  load?: typeof loadRunbook
  /** Runbooks fetched at once: enough to be quick from the precache, few enough not to flood a slow network. */
  concurrency?: number
}

export interface UseRunbookBinderReturn {
  /** The loaded pages, in the order asked for, once all have been tried (`done`). */
  pages: ShallowRef<readonly RunbookPage[]>
  /** Runbooks that could not be loaded (not on this phone and no network), once `done`. */
  missing: ShallowRef<readonly RunbookMeta[]>
  /** How many have been tried so far. */
  tried: Ref<number>
  done: Ref<boolean>
}

/** Every page of a list of runbooks, for the printed binder; a new list starts over, and an outdated load is aborted. */
export function useRunbookBinder(options: UseRunbookBinderOptions): UseRunbookBinderReturn {
  const load = options.load ?? loadRunbook
  const pages = shallowRef<readonly RunbookPage[]>([])
  const missing = shallowRef<readonly RunbookMeta[]>([])
  const tried = ref(0)
  const done = ref(false)
  let controller: AbortController | null = null

  watch(
    () => toValue(options.runbooks),
    async (list) => {
      controller?.abort()
      const own = (controller = new AbortController())
      const found: (RunbookPage | null)[] = list.map(() => null)
      pages.value = []
      missing.value = []
      tried.value = 0
      done.value = false
      let next = 0
      const worker = async () => {
        while (next < list.length && !own.signal.aborted) {
          const i = next++
          const meta = list[i] as RunbookMeta
          try {
            found[i] = await load(meta.id, { signal: own.signal })
          } catch {
            if (own.signal.aborted) return
          }
          tried.value++
        }
      }
      await Promise.all(Array.from({ length: Math.min(list.length, options.concurrency ?? 4) }, worker))
      if (!own.signal.aborted) {
        pages.value = found.filter((page): page is RunbookPage => page !== null)
        missing.value = list.filter((_, i) => found[i] === null)
        done.value = true
      }
    },
    { immediate: true },
  )

  onScopeDispose(() => controller?.abort())

  return { pages, missing, tried, done }
}
