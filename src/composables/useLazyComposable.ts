import { getCurrentScope, onScopeDispose } from 'vue'

/**
 * Runs a composable whose code loads after the first screen, inside the caller's
 * effect scope, so its watchers and timers stop with the component that asked.
 * For work the first screen does not show (update reminders). `loader` imports
 * the module; `use(module)` calls the composable. A failed import (offline,
 * chunk not cached) runs nothing; the next mount tries again. Called outside a
 * scope it does nothing: there would be nothing to stop it.
 */
export function useLazyComposable<M>(loader: () => Promise<M>, use: (module: M) => void): void {
  const scope = getCurrentScope()
  if (!scope) return
  let disposed = false
  onScopeDispose(() => {
    disposed = true
  })
  void loader().then(
    (module) => {
      if (!disposed) scope.run(() => use(module))
    },
    () => undefined,
  )
}
