import { resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { collectRunbooks, toManifest } from '../../build/runbooks/collect'
import { serializeSearchIndex } from '../../build/runbooks/search-index'

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
    await expect(searchRunbooks('switch')).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ id: 'switch-down' })]))
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('reports an HTTP error', async () => {
    fetchMock.mockResolvedValueOnce(new Response('', { status: 500 }))
    const { searchRunbooks } = await import('./search')
    await expect(searchRunbooks('switch')).rejects.toThrow(/HTTP 500/)
  })
})
