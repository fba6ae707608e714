import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../tests/fixtures/app'
import { runbookFetch } from '../../tests/fixtures/runbooks'
import type { CommandPostDatabase } from '../db/database'
import { saveRunbookCatalogue } from '../db/runbooks'
import { compileSyncedRunbook } from '../runbooks/compile-synced'
import { prepareRunbookSearch, searchRunbooks } from '../runbooks/search'
import { useIncidentsStore } from './incidents'
import { useRunbookCatalogueStore } from './runbook-catalogue'

vi.mock('virtual:runbooks', async () => ({ default: (await import('../../tests/fixtures/runbooks')).starter.manifest }))

const SOURCE = readFileSync(resolve(import.meta.dirname, '../../runbooks/switch-down.md'), 'utf8')
const OLD_STEP = 'Check the UPS: is it on battery, alarming, or overloaded? Is the breaker tripped?'
const V2 = SOURCE.replace(OLD_STEP, 'Check the flux capacitor for zorblax warnings')

/** What the catalogue sync writes: versions compiled with the build's compiler, and which are published. */
async function publish(
  db: CommandPostDatabase,
  published: Record<string, number>,
  sources: [string, number, string][],
) {
  const rows = sources.map(([id, version, source]) => ({
    id,
    version,
    ...compileSyncedRunbook(source, id, version),
    storedAt: '2026-12-01T08:00:00.000Z',
  }))
  await saveRunbookCatalogue(db, { serverUrl: '', etag: '"e"', published, checkedAt: '2026-12-01T08:00:00.000Z' }, rows)
}

describe('useRunbookCatalogueStore', () => {
  let fetchMock: ReturnType<typeof runbookFetch>
  beforeEach(() => {
    fetchMock = runbookFetch()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    useIncidentsStore().stop()
    vi.unstubAllGlobals()
  })

  it('overlays synced published versions on the build catalogue, and the search follows only what changed', async () => {
    const { db } = await freshApp()
    const store = useRunbookCatalogueStore()
    await store.load()
    // Nothing synced: the build's runbooks, as before.
    expect(store.find('switch-down')?.published).toBeUndefined()
    await prepareRunbookSearch()
    expect((await searchRunbooks('overloaded')).map((h) => h.id)).toContain('switch-down')
    expect(await searchRunbooks('zorblax')).toEqual([])

    await publish(db, { 'switch-down': 2, 'server/only': 1 }, [
      ['switch-down', 2, V2],
      ['server/only', 1, '# Only on the server\n\n- [ ] Wind the quokka clock\n'],
    ])
    await vi.waitFor(() => expect(store.find('switch-down')?.published).toBe(2))

    // The list keeps the build's order, the synced version in place, a server-only runbook after.
    const ids = store.list.map((r) => r.id)
    expect(ids.indexOf('switch-down')).toBeGreaterThanOrEqual(0)
    expect(ids.at(-1)).toBe('server/only')
    expect(store.list.find((r) => r.id === 'dhcp-scope-exhausted')?.published).toBeUndefined()

    const page = await store.loadPage('switch-down')
    expect(page.published).toBe(2)
    expect(page.steps.map((s) => s.text)).toContain('Check the flux capacitor for zorblax warnings')

    // Search: the new text is found, the removed text no longer is, with no second download of the index.
    expect((await searchRunbooks('zorblax')).map((h) => [h.id, h.published])).toEqual([['switch-down', 2]])
    expect((await searchRunbooks('overloaded')).map((h) => h.id)).not.toContain('switch-down')
    expect((await searchRunbooks('quokka')).map((h) => h.id)).toEqual(['server/only'])
    // The rest of the index is untouched.
    expect((await searchRunbooks('dhcp')).map((h) => h.id)).toContain('dhcp-scope-exhausted')
    const indexDownloads = fetchMock.mock.calls.filter(([input]) => String(input).includes('assets/'))
    expect(indexDownloads).toHaveLength(1)
  })

  it('resolves an older version from this phone after a newer one is published', async () => {
    const { db } = await freshApp()
    const store = useRunbookCatalogueStore()
    await publish(db, { 'switch-down': 1 }, [['switch-down', 1, SOURCE]])
    await store.load()
    await vi.waitFor(() => expect(store.find('switch-down')?.published).toBe(1))
    const v1 = await store.loadPage('switch-down')
    const ticked = v1.steps.find((s) => s.text === OLD_STEP)!

    await publish(db, { 'switch-down': 2 }, [['switch-down', 2, V2]])
    await vi.waitFor(() => expect(store.find('switch-down')?.published).toBe(2))
    const old = await store.pageAt('switch-down', 1)
    expect(old?.steps.find((s) => s.id === ticked.id)?.text).toBe(OLD_STEP)
    // Not stored and no server to ask: null, never a wrong page.
    expect(await store.pageAt('switch-down', 7)).toBeNull()
  })

  it('shows the build’s runbooks when nothing was ever synced (a first visit)', async () => {
    await freshApp()
    const store = useRunbookCatalogueStore()
    await store.load()
    const page = await store.loadPage('switch-down')
    expect(page.published).toBeUndefined()
    expect(page.steps.map((s) => s.text)).toContain(OLD_STEP)
  })
})
