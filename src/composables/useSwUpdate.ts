import { onScopeDispose, ref, type Ref } from 'vue'
import { useUpdateHold, type UseUpdateHoldReturn } from './useUpdateHold'

/** The part of workbox-window's Workbox this composable uses (tests pass a fake). */
export interface WorkboxLike {
  register(): Promise<ServiceWorkerRegistration | undefined>
  update(): Promise<void>
  messageSkipWaiting(): void
  addEventListener(type: 'waiting' | 'controlling', listener: (event: { isUpdate?: boolean }) => void): void
  removeEventListener(type: 'waiting' | 'controlling', listener: (event: { isUpdate?: boolean }) => void): void
}

export interface UseSwUpdateOptions {
  /** The service worker's URL; vite-plugin-pwa emits it as sw.js at the base. */
  url?: string
  /** Register at all: off in dev (no built worker) and where service workers are missing. */
  enabled?: boolean
  /** How often to look for a new version while the app stays open, in ms. */
  checkInterval?: number
  /** If the new worker has not taken control after this many ms, reload anyway. */
  reloadFallback?: number
  /** Default: workbox-window's Workbox, loaded on demand (it is not needed for the first screen). */
  createWorkbox?: (url: string) => WorkboxLike | Promise<WorkboxLike>
  reload?: () => void
  /** Shared with useDatabaseUpgrade, so both kinds of update wait for the person the same way. */
  hold?: UseUpdateHoldReturn
}

export interface UseSwUpdateReturn {
  isSupported: boolean
  /** A new version is installed and waiting for the responder's go-ahead. */
  needRefresh: Ref<boolean>
  /** The go-ahead was given; the page reloads as soon as the new worker controls it. */
  updating: Ref<boolean>
  /**
   * Another tab switched to the new version while this one holds unsaved input: it waits, and reloads by
   * itself once its forms are empty or submitted ("Update ready — reload when you are done").
   */
  readyWhenDone: Ref<boolean>
  /** Switch to the waiting version (or, when ready, to the one already running) and reload. Drafts survive. */
  applyUpdate: () => void
  /** Hide the banner; the waiting version is offered again on the next launch. */
  dismiss: () => void
}

/**
 * Registers the service worker (registerType 'prompt') and tells when a new
 * version is waiting. Never reloads on its own while this tab holds unsaved
 * input. When another tab already switched versions, this tab's old chunks
 * are gone from the cache, so it reloads (drafts kept) as soon as nothing
 * typed would be interrupted: at once, or once its forms are empty or submitted.
 */
export function useSwUpdate(options: UseSwUpdateOptions = {}): UseSwUpdateReturn {
  const isSupported = typeof navigator !== 'undefined' && 'serviceWorker' in navigator
  const enabled = options.enabled ?? (import.meta.env.PROD && isSupported)
  const needRefresh = ref(false)
  const updating = ref(false)
  const hold = options.hold ?? useUpdateHold({ reload: options.reload })
  const cleanups: (() => void)[] = []
  let wb: WorkboxLike | null = null
  const reloadKeepingDrafts = hold.reload

  function applyUpdate(): void {
    if (hold.ready.value) {
      // The new version already controls this page (another tab took it): only the reload is left.
      updating.value = true
      void reloadKeepingDrafts()
      return
    }
    if (!wb || updating.value) return
    updating.value = true
    wb.messageSkipWaiting()
    // No waiting worker left (another tab took it): a reload still lands on the new version.
    const timer = setTimeout(() => void reloadKeepingDrafts(), options.reloadFallback ?? 4000)
    cleanups.push(() => clearTimeout(timer))
  }

  function dismiss(): void {
    needRefresh.value = false
  }

  if (enabled) {
    const url = options.url ?? `${import.meta.env.BASE_URL}sw.js`
    const create =
      options.createWorkbox ??
      // Registers at once: the caller decides when (App.vue mounts the banner after the first screen,
      // which is after load, as Workbox advises).
      (async (u: string) => new (await import('workbox-window')).Workbox(u, { scope: import.meta.env.BASE_URL }))
    let disposed = false
    const onWaiting = () => {
      needRefresh.value = true
    }
    // Workbox's isUpdate only says a worker controlled the page when it registered: a tab that the first
    // worker claimed (clients.claim) would see the next version's takeover as a first install.
    let controlledBefore = !!navigator.serviceWorker?.controller
    const onControlling = (event: { isUpdate?: boolean }) => {
      // An older version controlled this page. The first install claiming it is not an update.
      const isUpdate = !!event.isUpdate || controlledBefore
      controlledBefore = true
      if (updating.value) void reloadKeepingDrafts()
      else if (isUpdate) {
        // Accepted in another tab: the waiting version is gone, this tab holds or reloads.
        needRefresh.value = false
        hold.newerVersionTookOver()
      }
    }
    const attach = (created: WorkboxLike) => {
      if (disposed) return undefined
      wb = created
      wb.addEventListener('waiting', onWaiting)
      wb.addEventListener('controlling', onControlling)
      return wb.register()
    }
    const made = create(url)
    // A ready-made Workbox (tests) is wired at once; the default one once its module has loaded.
    const registering = (made instanceof Promise ? made.then(attach) : Promise.resolve(attach(made))).catch(
      (error: unknown) => {
        // Offline-first still works for this visit; the next load tries again.
        console.warn('Service worker registration failed', error)
      },
    )
    const check = () => {
      if (navigator.onLine && document.visibilityState === 'visible')
        void registering.then(() => wb?.update()).catch(() => {})
    }
    const timer = setInterval(check, options.checkInterval ?? 60 * 60_000)
    document.addEventListener('visibilitychange', check)
    cleanups.push(() => {
      disposed = true
      clearInterval(timer)
      document.removeEventListener('visibilitychange', check)
      wb?.removeEventListener('waiting', onWaiting)
      wb?.removeEventListener('controlling', onControlling)
    })
  }
  onScopeDispose(() => {
    for (const c of cleanups.splice(0)) c()
  })

  return { isSupported, needRefresh, updating, readyWhenDone: hold.ready, applyUpdate, dismiss }
}
