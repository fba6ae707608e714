import { nextTick, onScopeDispose, ref, watch, type Ref } from 'vue'
import { hasUnsavedInput } from './unsavedInput'

export interface UseUpdateHoldOptions {
  /** This tab holds typed, unsaved text (reactive). Default: the drafts registered by useDraft. */
  unsaved?: () => boolean
  reload?: () => void
}

export interface UseUpdateHoldReturn {
  /** A newer version took over elsewhere, and this tab waits for the person before reloading. */
  ready: Ref<boolean>
  /**
   * A newer version took over (another tab accepted an app update, or a newer
   * database schema opened): reload now if nothing typed would be interrupted,
   * else set `ready` and reload by itself once the forms are empty or submitted.
   */
  newerVersionTookOver: () => void
  /** Reload now (the person's go-ahead); drafts are written first. Once only. */
  reload: () => Promise<void>
}

/**
 * When a tab running an old version must reload, and when it must wait.
 * A reload never loses text (drafts live in localStorage), but it would pull
 * the form from under the person's fingers: a tab with unsaved input waits
 * until its forms are empty or submitted, or the person taps Reload.
 */
export function useUpdateHold(options: UseUpdateHoldOptions = {}): UseUpdateHoldReturn {
  const unsavedInput = hasUnsavedInput()
  const unsaved = options.unsaved ?? (() => unsavedInput.value)
  const doReload = options.reload ?? (() => window.location.reload())
  const ready = ref(false)
  let reloading = false

  async function reload(): Promise<void> {
    if (reloading) return
    reloading = true
    // Let pending watchers (useDraft writes localStorage in one) run before the page goes.
    await nextTick()
    doReload()
  }

  function newerVersionTookOver(): void {
    if (unsaved()) ready.value = true
    else void reload()
  }

  const stop = watch(
    () => ready.value && !unsaved(),
    (clean) => {
      if (clean) void reload()
    },
  )
  onScopeDispose(stop)

  return { ready, newerVersionTookOver, reload }
}
