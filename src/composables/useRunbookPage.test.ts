import { describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { RunbookLoadError, type LoadRunbookOptions } from '../runbooks/load'
import type { RunbookPage } from '../runbooks/types'
import { useRunbookPage } from './useRunbookPage'

const page = (id: string): RunbookPage => ({
  id,
  title: id,
  summary: '',
  tags: [],
  updated: null,
  reviewed: null,
  reviewBy: null,
  version: 'v1',
  stepCount: 0,
  html: '<p>x</p>',
  toc: [],
  parameters: [],
  steps: [],
})

describe('useRunbookPage', () => {
  it('loads the page for the id, and aborts an outdated load when the id changes', async () => {
    const signals = new Map<string, AbortSignal>()
    const pending = new Map<string, (p: RunbookPage) => void>()
    const load = vi.fn((id: string, options: LoadRunbookOptions = {}) => {
      signals.set(id, options.signal!)
      return new Promise<RunbookPage>((resolve) => pending.set(id, resolve))
    })
    const id = ref('switch-down')
    const scope = effectScope()
    const { page: shown, loading, error } = scope.run(() => useRunbookPage({ id, load }))!
    expect(loading.value).toBe(true)
    id.value = 'dhcp'
    await nextTick()
    expect(signals.get('switch-down')!.aborted).toBe(true)
    pending.get('switch-down')!(page('switch-down'))
    pending.get('dhcp')!(page('dhcp'))
    await vi.waitFor(() => expect(shown.value?.id).toBe('dhcp'))
    expect(loading.value).toBe(false)
    expect(error.value).toBeNull()
    scope.stop()
    expect(signals.get('dhcp')!.aborted).toBe(true)
  })

  it('reports why a page cannot be shown', async () => {
    const scope = effectScope()
    const offline = scope.run(() =>
      useRunbookPage({
        id: 'a',
        load: async (id) => {
          throw new RunbookLoadError(id, 'offline', 'no network')
        },
      }),
    )!
    const missing = scope.run(() =>
      useRunbookPage({
        id: 'b',
        load: async (id) => {
          throw new RunbookLoadError(id, 'not-found', 'gone')
        },
      }),
    )!
    const broken = scope.run(() =>
      useRunbookPage({
        id: 'c',
        load: async () => {
          throw new SyntaxError('bad cache entry')
        },
      }),
    )!
    await vi.waitFor(() =>
      expect([offline.error.value, missing.error.value, broken.error.value]).toEqual([
        'offline',
        'not-found',
        'offline',
      ]),
    )
    expect(offline.page.value).toBeNull()
    expect(offline.loading.value).toBe(false)
    scope.stop()
  })
})
