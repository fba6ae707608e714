// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../tests/fixtures/app'
import { useIncidentsStore } from '../stores/incidents'
import { createAppRouter } from './index'

afterEach(() => {
  useIncidentsStore().stop()
  vi.restoreAllMocks()
})

describe('app router', () => {
  it('starts holding an incident (fetching an archived one’s log) from its guard, not from the screen', async () => {
    await freshApp()
    const store = useIncidentsStore()
    const hold = vi.spyOn(store, 'hold')
    const router = createAppRouter({ dataReady: Promise.resolve() })
    // Cancelled before the screen mounts: only the router's guard (which runs before the screen's code is
    // loaded, https://router.vuejs.org/guide/advanced/navigation-guards.html#The-Full-Navigation-Resolution-Flow)
    // can have asked.
    let held: unknown[][] = []
    router.beforeResolve(() => {
      held = hold.mock.calls.map((c) => [...c])
      return false
    })
    await router.push('/incidents/01JGXA1F00677EQ7NFYSQ10KNJ/tasks')
    expect(held).toEqual([['01JGXA1F00677EQ7NFYSQ10KNJ']])

    hold.mockClear()
    await router.push('/runbooks')
    expect(hold).not.toHaveBeenCalled()
  })
})
