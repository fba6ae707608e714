import { markRaw, shallowRef, type Component, type ShallowRef } from 'vue'

/** A lazily loaded component: null until `load()` has fetched its code. */
export interface UseLazyComponent {
  component: Readonly<ShallowRef<Component | null>>
  /** Fetch the code once (later calls share the first); a failure leaves `component` null, so nothing is shown. */
  load: () => Promise<void>
}

/**
 * A component whose code loads only when first needed, for features off the first
 * screen. Not `defineAsyncComponent`: using it anywhere puts its runtime in the Vue
 * chunk the first screen loads (measured: +0.8 kB gzip); a dynamic import into a
 * shallow ref costs nothing there. Render it as `<X v-if="X" />` with `X` the ref.
 */
export function useLazyComponent(loader: () => Promise<{ default: Component }>): UseLazyComponent {
  const component = shallowRef<Component | null>(null)
  let loading: Promise<void> | null = null
  function load(): Promise<void> {
    loading ??= loader().then(
      (module) => {
        component.value = markRaw(module.default)
      },
      () => {
        // Offline with the chunk not cached: show nothing now, try again next time.
        loading = null
      },
    )
    return loading
  }
  return { component, load }
}
