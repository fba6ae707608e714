import { nextTick, onScopeDispose, ref, type Ref } from 'vue'

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
}

export interface UseSwUpdateReturn {
  isSupported: boolean
  /** A new version is installed and waiting for the responder's go-ahead. */
  needRefresh: Ref<boolean>
  /** The go-ahead was given; the page reloads as soon as the new worker controls it. */
  updating: Ref<boolean>
  /** Switch to the waiting version and reload. Drafts survive (useDraft keeps them in localStorage). */
  applyUpdate: () => void
  /** Hide the banner; the waiting version is offered again on the next launch. */
  dismiss: () => void
}

/**
 * Registers the service worker (registerType 'prompt') and tells when a new
 * version is waiting. Never reloads on its own while this tab is in use,
 * except when another tab already switched versions: then this tab's old
 * chunks are gone from the cache, and a reload (drafts kept) is the safe move.
 */
export function useSwUpdate(options: UseSwUpdateOptions = {}): UseSwUpdateReturn {
  const isSupported = typeof navigator !== 'undefined' && 'serviceWorker' in navigator
  const enabled = options.enabled ?? (import.meta.env.PROD && isSupported)
  const needRefresh = ref(false)
  const updating = ref(false)
  const reload = options.reload ?? (() => window.location.reload())
  const cleanups: (() => void)[] = []
  let wb: WorkboxLike | null = null
  let reloading = false

  async function reloadKeepingDrafts(): Promise<void> {
    if (reloading) return
    reloading = true
    // Let pending watchers (useDraft writes localStorage in one) run before the page goes.
    await nextTick()
    reload()
  }

  function applyUpdate(): void {
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
    const onControlling = (event: { isUpdate?: boolean }) => {
      // isUpdate: an older version controlled this page. A first install (clients.claim) is not one.
      if (updating.value || event.isUpdate) void reloadKeepingDrafts()
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

  return { isSupported, needRefresh, updating, applyUpdate, dismiss }
}
