import { resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { collectRunbooks, toManifest } from '../../build/runbooks/collect'
import { serializeSearchIndex } from '../../build/runbooks/search-index'
import type { RunbookMeta } from './types'

// The app's catalog comes from the Vite plugin; here it is built from the starter runbooks.
const built = vi.hoisted(() => ({ manifest: null as unknown, index: '' }))
vi.mock('virtual:runbooks', () => ({ default: built.manifest }))

const { runbooks } = collectRunbooks(resolve(import.meta.dirname, '../../runbooks'))
built.manifest = toManifest(runbooks, 'assets/runbook-search-test.json', '2026-11-24T00:00:00.000Z')
built.index = serializeSearchIndex(runbooks)

describe('searchRunbooks', () => {
  let fetchMock: ReturnType<typeof vi.fn<typeof fetch>>

  beforeEach(() => {
    vi.resetModules()
    fetchMock = vi.fn<typeof fetch>(async () => new Response(built.index, { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('downloads the prebuilt index once, on the first search', async () => {
    const { searchRunbooks } = await import('./search')
    expect(fetchMock).not.toHaveBeenCalled()
    const [first, second] = await Promise.all([searchRunbooks('switch'), searchRunbooks('dhcp')])
    expect(first[0]?.id).toBe('switch-down')
    expect(second[0]?.id).toBe('dhcp-scope-exhausted')
    await searchRunbooks('wifi')
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(fetchMock.mock.calls[0]?.[0]).toBe(`${import.meta.env.BASE_URL}assets/runbook-search-test.json`)
  })

  it('does not fetch for a blank query', async () => {
    const { searchRunbooks } = await import('./search')
    await expect(searchRunbooks('  ')).resolves.toEqual([])
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('tries again after a failed download (offline before the index was cached)', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    const { searchRunbooks, prepareRunbookSearch } = await import('./search')
    await expect(searchRunbooks('switch')).rejects.toThrow('Failed to fetch')
    await prepareRunbookSearch()
    await expect(searchRunbooks('switch')).resolves.toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'switch-down' })]),
    )
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('reports an HTTP error', async () => {
    fetchMock.mockResolvedValueOnce(new Response('', { status: 500 }))
    const { searchRunbooks } = await import('./search')
    await expect(searchRunbooks('switch')).rejects.toThrow(/HTTP 500/)
  })
})

describe('setSyncedRunbooks', () => {
  beforeEach(() => {
    vi.resetModules()
    vi.stubGlobal(
      'fetch',
      vi.fn<typeof fetch>(async () => new Response(built.index, { status: 200 })),
    )
  })
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  const meta = (published: number, title = 'Switch down in a closet') => ({
    ...(built.manifest as { runbooks: RunbookMeta[] }).runbooks.find((r) => r.id === 'switch-down')!,
    title,
    published,
  })

  it('replaces only the changed documents in a loaded index: new text matches, removed text no longer does', async () => {
    const { searchRunbooks, prepareRunbookSearch, setSyncedRunbooks } = await import('./search')
    await prepareRunbookSearch()
    expect((await searchRunbooks('overloaded')).map((h) => h.id)).toContain('switch-down')

    expect(setSyncedRunbooks([{ meta: meta(2), text: 'Check the flux capacitor for zorblax warnings' }])).toEqual({
      updated: ['switch-down'],
      reopened: false,
    })
    expect((await searchRunbooks('zorblax')).map((h) => [h.id, h.published])).toEqual([['switch-down', 2]])
    expect((await searchRunbooks('overloaded')).map((h) => h.id)).not.toContain('switch-down')
    // The same list again: nothing to do.
    expect(
      setSyncedRunbooks([{ meta: meta(2), text: 'Check the flux capacitor for zorblax warnings' }]).updated,
    ).toEqual([])
    // Withdrawn by the server: the build's text comes back (the prebuilt index is loaded again).
    expect(setSyncedRunbooks([])).toEqual({ updated: [], reopened: true })
    expect((await searchRunbooks('overloaded')).map((h) => h.id)).toContain('switch-down')
    expect(await searchRunbooks('zorblax')).toEqual([])
  })

  it('applies what was synced before the index loaded when it loads', async () => {
    const { searchRunbooks, setSyncedRunbooks } = await import('./search')
    setSyncedRunbooks([{ meta: meta(3), text: 'quokka' }])
    expect((await searchRunbooks('quokka')).map((h) => h.id)).toEqual(['switch-down'])
  })
})
