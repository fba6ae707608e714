import { afterEach, describe, expect, it, vi } from 'vitest'
import { freshApp, reopenApp } from '../../tests/fixtures/app'
import type { FetchLike } from '../sync/api'
import { writeRunbookProposal } from '../db/runbook-drafts'
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

  it('queues a proposal with a new idempotency key, keeps it across a reload, and only asks sync to run', async () => {
    const server = fakeServer(() => json(201, info(2)))
    server.state.online = true
    const { store, dbName } = await editorWith(server.fetchFn)
    const sendSoon = vi.spyOn(useSyncStore(), 'sendSoon')
    const queued = await store.propose(draft('# Switch down\n- [ ] Check the UPS\n'))
    expect(queued).toMatchObject({ state: 'queued', runbookId: 'switch-down', note: 'Add the UPS', baseVersion: 1 })
    expect(queued.proposalId).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
    // The sync engine sends it (in the leader tab); this store never does.
    expect(sendSoon).toHaveBeenCalledTimes(1)
    expect(server.state.sent).toEqual([])
    const again = await store.propose(draft('# Switch down, again\n'))
    expect(again.proposalId).not.toBe(queued.proposalId)

    await reopenApp(dbName)
    const reopened = useRunbookEditorStore()
    expect((await reopened.openDraft('switch-down')).proposal).toMatchObject({
      state: 'queued',
      proposalId: again.proposalId,
    })
  })

  it('shows what the sync engine stored for a proposal: proposed, or refused with the server’s message', async () => {
    const { store, db } = await editorWith(fakeServer(() => json(500, {})).fetchFn)
    const queued = await store.propose(draft('first'))
    expect(store.proposals['switch-down']?.state).toBe('queued')
    // Another tab's engine (or this tab's) answers in the database: the store follows.
    await writeRunbookProposal(db, { ...queued, state: 'proposed', version: 2 })
    await vi.waitFor(() => expect(store.proposals['switch-down']).toMatchObject({ state: 'proposed', version: 2 }))
    const message = 'source is 1048577 bytes; a runbook may have at most 1048576 (1 MiB)'
    await writeRunbookProposal(db, { ...queued, state: 'refused', status: 413, message })
    await vi.waitFor(() => expect(store.proposals['switch-down']).toMatchObject({ state: 'refused', message }))
    expect((await store.openDraft('switch-down')).draft?.source).toBe('first')
  })

  it('queues a new runbook as one to create', async () => {
    const { store } = await editorWith(fakeServer(() => json(500, {})).fetchFn)
    const result = await store.propose(
      draft('# Wi-Fi\n', { key: NEW_RUNBOOK_KEY, runbookId: 'wifi', baseVersion: null }),
    )
    expect(result).toMatchObject({ key: NEW_RUNBOOK_KEY, runbookId: 'wifi', isNew: true, state: 'queued' })
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
