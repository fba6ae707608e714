import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp, reopenApp } from '../../tests/fixtures/app'
import type { FetchLike } from '../sync/api'
import { useIncidentsStore } from './incidents'
import { NEW_RUNBOOK_KEY, useRunbookEditorStore, type RunbookDraft } from './runbook-editor'
import { useSyncStore } from './sync'

afterEach(() => {
  useIncidentsStore().stop()
  vi.restoreAllMocks()
})

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

const info = (version: number, extra: Record<string, unknown> = {}) => ({
  id: 'switch-down',
  version,
  title: 'Switch down',
  reviewBy: null,
  author: 'Dana',
  at: '2026-12-01T08:00:00.000Z',
  note: '',
  baseVersion: 1,
  status: 'proposed',
  publishedAt: null,
  publishedBy: null,
  stale: false,
  source: '# Switch down\n',
  ...extra,
})

/** A server that is unreachable until `online` is set, then answers `answer`; records the bodies sent. */
function fakeServer(answer: (url: string, body: unknown) => Response) {
  const state = { online: false, sent: [] as { url: string; body: unknown }[] }
  const fetchFn: FetchLike = async (url, init) => {
    if (!state.online) throw new TypeError('Failed to fetch')
    const body = init?.body ? JSON.parse(String(init.body)) : undefined
    state.sent.push({ url, body })
    return answer(url, body)
  }
  return { state, fetchFn }
}

async function editorWith(fetchFn: FetchLike) {
  const world = await freshApp()
  useSyncStore().token = 'token-a'
  const store = useRunbookEditorStore()
  store.useFetch(fetchFn)
  return { ...world, store }
}

const draft = (source: string, extra: Partial<RunbookDraft> = {}): RunbookDraft => ({
  key: 'switch-down',
  runbookId: 'switch-down',
  source,
  note: 'Add the UPS',
  baseVersion: 1,
  updatedAt: '2026-12-01T08:00:00.000Z',
  ...extra,
})

describe('useRunbookEditorStore', () => {
  it('keeps a draft across a reload, and forgets it only when discarded', async () => {
    const { store, dbName } = await editorWith(fakeServer(() => json(500, {})).fetchFn)
    await store.saveDraft(draft('typed offline'))
    await reopenApp(dbName)
    const again = useRunbookEditorStore()
    expect((await again.openDraft('switch-down')).draft?.source).toBe('typed offline')
    await again.discardDraft('switch-down')
    expect((await again.openDraft('switch-down')).draft).toBeNull()
  })

  it('queues a proposal offline, keeps it across a reload, and sends it when online', async () => {
    const server = fakeServer(() => json(201, info(2)))
    const { store, dbName } = await editorWith(server.fetchFn)
    const queued = await store.propose(draft('# Switch down\n- [ ] Check the UPS\n'))
    expect(queued).toMatchObject({ state: 'queued', runbookId: 'switch-down' })
    expect(server.state.sent).toEqual([])

    await reopenApp(dbName)
    useSyncStore().token = 'token-a'
    const again = useRunbookEditorStore()
    again.useFetch(server.fetchFn)
    expect((await again.openDraft('switch-down')).proposal?.state).toBe('queued')
    server.state.online = true
    await again.flush()
    expect(server.state.sent).toEqual([
      {
        url: '/api/runbooks/switch-down/versions',
        body: { source: '# Switch down\n- [ ] Check the UPS\n', note: 'Add the UPS', baseVersion: 1 },
      },
    ])
    expect(again.proposals['switch-down']).toMatchObject({ state: 'proposed', version: 2 })
    // The server has the text now: the draft is done with.
    expect((await again.openDraft('switch-down')).draft).toBeNull()
    await again.flush()
    expect(server.state.sent).toHaveLength(1)
  })

  it('keeps what was typed after proposing when the proposal reaches the server', async () => {
    const server = fakeServer(() => json(201, info(2)))
    const { store } = await editorWith(server.fetchFn)
    await store.propose(draft('first'))
    await store.saveDraft(draft('first, and more'))
    server.state.online = true
    await store.flush()
    expect((await store.openDraft('switch-down')).draft?.source).toBe('first, and more')
  })

  it('shows a refusal with the server’s message, keeps the draft and does not send it again', async () => {
    const message = 'source is 1048577 bytes: at most 1048576 (1 MiB)'
    const server = fakeServer(() => json(413, { error: { code: 'too_large', message } }))
    server.state.online = true
    const { store } = await editorWith(server.fetchFn)
    const refused = await store.propose(draft('x'.repeat(10)))
    expect(refused).toMatchObject({ state: 'refused', status: 413, message })
    expect((await store.openDraft('switch-down')).draft?.source).toBe('x'.repeat(10))
    await store.flush()
    expect(server.state.sent).toHaveLength(1)
  })

  it('creates a new runbook with POST /api/runbooks and reports an id clash', async () => {
    const message = 'a runbook with id "wifi" already exists: propose a new version of it instead'
    const server = fakeServer(() => json(409, { error: { code: 'conflict', message } }))
    server.state.online = true
    const { store } = await editorWith(server.fetchFn)
    const result = await store.propose(
      draft('# Wi-Fi\n', { key: NEW_RUNBOOK_KEY, runbookId: 'wifi', baseVersion: null }),
    )
    expect(server.state.sent[0]).toEqual({
      url: '/api/runbooks',
      body: { id: 'wifi', source: '# Wi-Fi\n', note: 'Add the UPS' },
    })
    expect(result).toMatchObject({ state: 'refused', message })
  })

  it('keeps the published source for editing offline', async () => {
    const server = fakeServer((url) =>
      url.endsWith('/versions')
        ? json(200, { id: 'switch-down', publishedVersion: 3, versions: [] })
        : json(200, info(3, { source: '# Published\n' })),
    )
    server.state.online = true
    const { store } = await editorWith(server.fetchFn)
    expect(await store.base('switch-down')).toEqual({ version: 3, source: '# Published\n' })
    server.state.online = false
    expect(await store.base('switch-down')).toEqual({ version: 3, source: '# Published\n' })
    expect(await store.base('never-opened')).toBeNull()
  })
})
