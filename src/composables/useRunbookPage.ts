import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref, type ShallowRef } from 'vue'
import { loadRunbook, RunbookLoadError, type RunbookLoadFailure } from '../runbooks/load'
import type { RunbookPage } from '../runbooks/types'

export interface UseRunbookPageOptions {
  id: MaybeRefOrGetter<string>
  /** Injected in tests; fetches `runbooks/<id>.json` (precached by the service worker) otherwise. */
  load?: typeof loadRunbook
  /** Load again when this changes (the published version synced from the server), keeping the page shown meanwhile. */
  revision?: MaybeRefOrGetter<unknown>
}

export interface UseRunbookPageReturn {
  page: ShallowRef<RunbookPage | null>
  /** Why the page could not be shown; null while loading or once shown. */
  error: Ref<RunbookLoadFailure | null>
  loading: Ref<boolean>
}

/** One compiled runbook, loaded again when the id changes; an outdated load is aborted. */
export function useRunbookPage(options: UseRunbookPageOptions): UseRunbookPageReturn {
  const load = options.load ?? loadRunbook
  const page = shallowRef<RunbookPage | null>(null)
  const error = ref<RunbookLoadFailure | null>(null)
  const loading = ref(false)
  let controller: AbortController | null = null

  watch(
    () => [toValue(options.id), toValue(options.revision)] as const,
    async ([id], previous) => {
      controller?.abort()
      const own = (controller = new AbortController())
      // A new version of the same runbook replaces the page in place: no flash of "Opening…".
      const sameRunbook = previous?.[0] === id && page.value !== null
      if (!sameRunbook) page.value = null
      error.value = null
      loading.value = !sameRunbook
      try {
        const loaded = await load(id, { signal: own.signal })
        if (!own.signal.aborted) page.value = loaded
      } catch (e) {
        if (own.signal.aborted) return
        // Anything unexpected (a broken cache entry) reads to the responder like "not available here".
        error.value = e instanceof RunbookLoadError ? e.reason : 'offline'
      } finally {
        if (!own.signal.aborted) loading.value = false
      }
    },
    { immediate: true },
  )

  onScopeDispose(() => controller?.abort())

  return { page, error, loading }
}
