// @vitest-environment happy-dom
import { effectScope, nextTick, ref, type Ref } from 'vue'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeWorkbox } from '../../tests/fixtures/workbox'
import { useSwUpdate, type UseSwUpdateOptions } from './useSwUpdate'
import { useUpdateHold } from './useUpdateHold'

/** `unsaved` plays this tab's unsaved input (useDraft fields, in the app). */
function setup({ unsaved, ...options }: UseSwUpdateOptions & { unsaved?: Ref<boolean> } = {}) {
  const reload = vi.fn()
  const scope = effectScope()
  const sw = scope.run(() => {
    const hold = unsaved ? useUpdateHold({ unsaved: () => unsaved.value, reload }) : undefined
    return useSwUpdate({ enabled: true, createWorkbox: (url) => new FakeWorkbox(url), reload, hold, ...options })
  })!
  return { sw, reload, scope, wb: FakeWorkbox.last! }
}

afterEach(() => {
  vi.useRealTimers()
  FakeWorkbox.last = null
})

describe('useSwUpdate', () => {
  it('registers sw.js at the base and offers a waiting version', async () => {
    const { sw, wb, reload } = setup()
    expect(wb.url).toBe('/sw.js')
    expect(wb.registered).toBe(1)
    expect(sw.needRefresh.value).toBe(false)
    wb.emit('waiting')
    expect(sw.needRefresh.value).toBe(true)
    expect(reload).not.toHaveBeenCalled()
  })

  it('on the go-ahead asks the waiting worker to skip waiting, and reloads once it controls the page', async () => {
    const { sw, wb, reload } = setup()
    wb.emit('waiting')
    sw.applyUpdate()
    expect(wb.skipWaitingMessages).toBe(1)
    expect(sw.updating.value).toBe(true)
    expect(reload).not.toHaveBeenCalled()
    wb.emit('controlling', { isUpdate: false })
    await nextTick()
    await nextTick()
    expect(reload).toHaveBeenCalledTimes(1)
    wb.emit('controlling', { isUpdate: true })
    await nextTick()
    expect(reload).toHaveBeenCalledTimes(1)
  })

  it('does not reload when the first worker claims the page (nothing was there before)', async () => {
    const { wb, reload } = setup()
    wb.emit('controlling', { isUpdate: false })
    await nextTick()
    await nextTick()
    expect(reload).not.toHaveBeenCalled()
  })

  it('treats the next takeover as an update in a tab the first worker claimed (Workbox reports isUpdate false there)', async () => {
    const { sw, wb, reload } = setup({ unsaved: ref(true) })
    wb.emit('controlling', { isUpdate: false })
    await nextTick()
    expect(sw.readyWhenDone.value).toBe(false)
    // Build B, accepted in another tab: this tab still holds its unsaved input, and says so.
    wb.emit('controlling', { isUpdate: false })
    await nextTick()
    expect(sw.readyWhenDone.value).toBe(true)
    expect(reload).not.toHaveBeenCalled()
  })

  it('reloads when another tab switched to the new version (this tab’s old chunks are gone)', async () => {
    const { wb, reload } = setup()
    wb.emit('controlling', { isUpdate: true })
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
  })

  it('holds while this tab has unsaved input when another tab switched versions, and reloads once it is clean', async () => {
    const unsaved = ref(true)
    const { sw, wb, reload } = setup({ unsaved })
    wb.emit('waiting')
    sw.dismiss()
    wb.emit('controlling', { isUpdate: true })
    await nextTick()
    await nextTick()
    expect(reload).not.toHaveBeenCalled()
    expect(sw.readyWhenDone.value).toBe(true)
    expect(sw.needRefresh.value).toBe(false)
    unsaved.value = false
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
  })

  it('"Reload" while holding reloads at once, without asking any worker to skip waiting', async () => {
    const { sw, wb, reload } = setup({ unsaved: ref(true) })
    wb.emit('controlling', { isUpdate: true })
    await nextTick()
    expect(sw.readyWhenDone.value).toBe(true)
    sw.applyUpdate()
    await vi.waitFor(() => expect(reload).toHaveBeenCalledTimes(1))
    expect(wb.skipWaitingMessages).toBe(0)
  })

  it('reloads anyway when no worker takes control after the go-ahead', async () => {
    vi.useFakeTimers()
    const { sw, wb, reload } = setup({ reloadFallback: 1000 })
    wb.emit('waiting')
    sw.applyUpdate()
    sw.applyUpdate()
    expect(wb.skipWaitingMessages).toBe(1)
    await vi.advanceTimersByTimeAsync(999)
    expect(reload).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(reload).toHaveBeenCalledTimes(1)
  })

  it('hides the banner on "Later" without touching the worker', () => {
    const { sw, wb, reload } = setup()
    wb.emit('waiting')
    sw.dismiss()
    expect(sw.needRefresh.value).toBe(false)
    expect(wb.skipWaitingMessages).toBe(0)
    expect(reload).not.toHaveBeenCalled()
  })

  it('checks for a new version on an interval while visible and online, and stops when its scope ends', async () => {
    vi.useFakeTimers()
    const { wb, scope } = setup({ checkInterval: 1000 })
    await vi.advanceTimersByTimeAsync(1000)
    expect(wb.updates).toBe(1)
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(0)
    expect(wb.updates).toBe(2)
    scope.stop()
    expect(wb.listenerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(5000)
    document.dispatchEvent(new Event('visibilitychange'))
    expect(wb.updates).toBe(2)
  })

  it('does nothing where it is disabled (dev server, no service worker support)', () => {
    const createWorkbox = vi.fn((url: string) => new FakeWorkbox(url))
    const scope = effectScope()
    const sw = scope.run(() => useSwUpdate({ enabled: false, createWorkbox }))!
    expect(createWorkbox).not.toHaveBeenCalled()
    sw.applyUpdate()
    expect(sw.updating.value).toBe(false)
    scope.stop()
  })
})
