// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest'

// Each test gets a fresh module: "shown" is once per page.
async function load() {
  vi.resetModules()
  return import('./useFirstScreen')
}

describe('first screen', () => {
  it('holds work back until the first screen is marked shown', async () => {
    const { afterFirstScreen, markFirstScreenShown } = await load()
    const ran = vi.fn()
    afterFirstScreen(ran)
    await new Promise((r) => setTimeout(r, 300))
    expect(ran).not.toHaveBeenCalled()
    markFirstScreenShown()
    await vi.waitFor(() => expect(ran).toHaveBeenCalledTimes(1))
  })

  it('lets the work run anyway a while after load when no screen is ever shown (a hidden tab, a failed start)', async () => {
    const { whenFirstScreenShown } = await load()
    const started = Date.now()
    await whenFirstScreenShown(50)
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })

  it('useFirstScreen says shown only after the mark', async () => {
    const { useFirstScreen, markFirstScreenShown } = await load()
    const { shown } = useFirstScreen()
    await new Promise((r) => setTimeout(r, 50))
    expect(shown.value).toBe(false)
    markFirstScreenShown()
    await vi.waitFor(() => expect(shown.value).toBe(true))
  })

  it('nextTask resolves after the current task’s promise callbacks', async () => {
    const { nextTask } = await load()
    const order: string[] = []
    const yielded = nextTask().then(() => order.push('next task'))
    void Promise.resolve().then(() => order.push('microtask'))
    await yielded
    expect(order).toEqual(['microtask', 'next task'])
  })
})
