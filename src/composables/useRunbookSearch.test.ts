import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import type { RunbookHit, RunbookMeta } from '../runbooks/types'
import { useRunbookSearch, type UseRunbookSearchOptions } from './useRunbookSearch'

vi.mock('virtual:runbooks', () => ({
  default: { generatedAt: '2026-11-24T00:00:00.000Z', searchIndex: null, runbooks: [] },
}))

const meta = (id: string, title: string, tags: string[] = []): RunbookMeta => ({
  id,
  title,
  summary: `About ${title}`,
  tags,
  updated: null,
  reviewed: null,
  reviewBy: null,
  version: 'v1',
  stepCount: 1,
})
const hit = (id: string): RunbookHit => ({ ...meta(id, id), score: 1, terms: [id] })
const catalog = [
  meta('switch-down', 'Switch down in a closet', ['network']),
  meta('dhcp', 'DHCP scope exhausted', ['network', 'dhcp']),
]

function start(options: Omit<UseRunbookSearchOptions, 'query'>) {
  const query = ref('')
  const scope = effectScope()
  const result = scope.run(() => useRunbookSearch({ query, catalog, ...options }))!
  return { query, scope, ...result }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('useRunbookSearch', () => {
  it('waits for a pause in typing, then searches once with the latest text', async () => {
    const search = vi.fn(async (q: string) => [hit(q)])
    const { query, hits, searching, answered } = start({ search, debounce: 100 })
    expect(hits.value).toBeNull()
    query.value = 's'
    await nextTick()
    query.value = 'sw'
    await nextTick()
    query.value = 'swi'
    await nextTick()
    await vi.advanceTimersByTimeAsync(99)
    expect(search).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(search).toHaveBeenCalledTimes(1)
    expect(search).toHaveBeenCalledWith('swi')
    await vi.waitFor(() => expect(hits.value?.map((h) => h.id)).toEqual(['swi']))
    expect(searching.value).toBe(false)
    expect(answered.value).toBe('swi')
    query.value = 'swit'
    await nextTick()
    expect(answered.value).toBe('swi') // still the query the hits shown are for

    query.value = '  '
    await nextTick()
    expect(hits.value).toBeNull()
    expect(answered.value).toBe('')
  })

  it('never lets a slow answer to an older query replace a newer one', async () => {
    const answers = new Map<string, (hits: RunbookHit[]) => void>()
    const search = vi.fn((q: string) => new Promise<RunbookHit[]>((resolve) => answers.set(q, resolve)))
    const { query, hits, searching } = start({ search, debounce: 10 })
    query.value = 'dh'
    await nextTick()
    await vi.advanceTimersByTimeAsync(10)
    query.value = 'dhcp'
    await nextTick()
    await vi.advanceTimersByTimeAsync(10)
    answers.get('dhcp')!([hit('dhcp')])
    await vi.waitFor(() => expect(hits.value?.map((h) => h.id)).toEqual(['dhcp']))
    answers.get('dh')!([hit('dh-old')])
    await Promise.resolve()
    await nextTick()
    expect(hits.value?.map((h) => h.id)).toEqual(['dhcp'])
    expect(searching.value).toBe(false)
  })

  it('falls back to a plain title, summary and tag filter when the index cannot be loaded', async () => {
    const search = vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    })
    const { query, hits, degraded } = start({ search, debounce: 0 })
    query.value = 'network closet'
    await nextTick()
    await vi.advanceTimersByTimeAsync(0)
    await vi.waitFor(() => expect(degraded.value).toBe(true))
    expect(hits.value?.map((h) => h.id)).toEqual(['switch-down'])
    search.mockResolvedValueOnce([hit('dhcp')] as never)
    query.value = 'dhcp'
    await nextTick()
    await vi.advanceTimersByTimeAsync(0)
    await vi.waitFor(() => expect(degraded.value).toBe(false))
    expect(hits.value?.map((h) => h.id)).toEqual(['dhcp'])
  })

  it('prepares the index on demand, swallowing a failure, and stops when its scope ends', async () => {
    const prepare = vi.fn(async () => {
      throw new Error('offline')
    })
    const search = vi.fn(async () => [hit('x')])
    const { query, scope, prepare: warm } = start({ search, prepare, debounce: 50 })
    warm()
    expect(prepare).toHaveBeenCalledTimes(1)
    query.value = 'switch'
    await nextTick()
    scope.stop()
    await vi.advanceTimersByTimeAsync(100)
    expect(search).not.toHaveBeenCalled()
  })
})
