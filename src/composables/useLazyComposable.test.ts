import { describe, expect, it } from 'vitest'
import { effectScope, onScopeDispose } from 'vue'
import { useLazyComposable } from './useLazyComposable'

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** A caller's scope that used a lazy composable whose code arrives when the test resolves `loaded`. */
function lazyInScope() {
  const loaded = deferred<() => void>()
  const scope = effectScope()
  scope.run(() =>
    useLazyComposable(
      () => loaded.promise,
      (start) => start(),
    ),
  )
  return { loaded, scope }
}

describe('useLazyComposable', () => {
  it('runs the loaded composable inside the caller’s scope, so it stops with it', async () => {
    const log: string[] = []
    const { loaded, scope } = lazyInScope()
    expect(log).toEqual([])
    loaded.resolve(() => {
      log.push('started')
      onScopeDispose(() => log.push('stopped'))
    })
    await loaded.promise
    await Promise.resolve()
    expect(log).toEqual(['started'])
    scope.stop()
    expect(log).toEqual(['started', 'stopped'])
  })

  it('runs nothing when the caller is gone before the code arrives', async () => {
    const log: string[] = []
    const { loaded, scope } = lazyInScope()
    scope.stop()
    loaded.resolve(() => log.push('started'))
    await loaded.promise
    await Promise.resolve()
    expect(log).toEqual([])
  })

  it('runs nothing and throws nothing when the code cannot be fetched (offline, not cached)', async () => {
    const { loaded, scope } = lazyInScope()
    loaded.reject(new TypeError('Failed to fetch dynamically imported module'))
    await expect(loaded.promise).rejects.toThrow('Failed to fetch')
    await Promise.resolve()
    expect(scope.active).toBe(true)
    scope.stop()
  })
})
