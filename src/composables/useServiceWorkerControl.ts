import { onScopeDispose, ref, type Ref } from 'vue'

export interface UseServiceWorkerControlOptions {
  /** Injected in tests; `navigator.serviceWorker` otherwise (absent on plain http and in old browsers). */
  container?: Pick<ServiceWorkerContainer, 'controller' | 'addEventListener' | 'removeEventListener'> | null
}

export interface UseServiceWorkerControlReturn {
  isSupported: boolean
  /**
   * A service worker controls this page: its precache answers for the app and
   * the runbooks, so they open with no network. False in dev, on a first visit
   * before the worker claims the page, and where service workers are missing.
   */
  controlled: Ref<boolean>
}

/** Whether this page is served by the service worker right now, kept current as it takes control. */
export function useServiceWorkerControl(options: UseServiceWorkerControlOptions = {}): UseServiceWorkerControlReturn {
  const container =
    options.container !== undefined
      ? options.container
      : typeof navigator !== 'undefined'
        ? (navigator.serviceWorker ?? null)
        : null
  const controlled = ref(!!container?.controller)
  const update = () => {
    controlled.value = !!container?.controller
  }
  container?.addEventListener('controllerchange', update)
  onScopeDispose(() => container?.removeEventListener('controllerchange', update))
  return { isSupported: !!container, controlled }
}
