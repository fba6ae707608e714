import { describe, expect, it, vi } from 'vitest'
import { defineComponent } from 'vue'
import { useLazyComponent } from './useLazyComponent'

const Loaded = defineComponent({ name: 'Loaded', render: () => null })

describe('useLazyComponent', () => {
  it('is null until loaded, and fetches the code once however often it is asked', async () => {
    const loader = vi.fn(async () => ({ default: Loaded }))
    const lazy = useLazyComponent(loader)
    expect(lazy.component.value).toBeNull()
    expect(loader).not.toHaveBeenCalled()
    await Promise.all([lazy.load(), lazy.load()])
    await lazy.load()
    expect(lazy.component.value).toBe(Loaded)
    expect(loader).toHaveBeenCalledTimes(1)
  })

  it('shows nothing when the code cannot be fetched, and tries again next time', async () => {
    const loader = vi
      .fn<() => Promise<{ default: typeof Loaded }>>()
      .mockRejectedValueOnce(new TypeError('Failed to fetch dynamically imported module'))
      .mockResolvedValueOnce({ default: Loaded })
    const lazy = useLazyComponent(loader)
    await lazy.load()
    expect(lazy.component.value).toBeNull()
    await lazy.load()
    expect(lazy.component.value).toBe(Loaded)
  })
})
