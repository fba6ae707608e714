import { afterEach, describe, expect, it, vi } from 'vitest'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { FakeChannels, FakeLocks } from '../../tests/fixtures/tabs'
import { ManualTimers } from '../../tests/fixtures/timers'
import { CommandPostDatabase } from '../db/database'
import {
  readRunbookDraft,
  readRunbookProposal,
  writeRunbookDraft,
  writeRunbookProposal,
  type RunbookProposal,
} from '../db/runbook-drafts'
import { writeSetting } from '../db/settings'
import type { FetchLike } from './api'
import { createSyncEngine, type SyncEngine } from './engine'
import { createLeaderSync, type LeaderSync } from './leader'

// Every wait is on state (a round ending, a stored proposal), never on the clock; this only bounds a hang.
const until = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 20_000, interval: 5 })

let n = 0
const stoppers: (SyncEngine | LeaderSync)[] = []
afterEach(() => {
  for (const s of stoppers.splice(0)) s.stop()
})

const SOURCE = '# Switch down\n\n- [ ] Check the UPS\n'

const queued = (extra: Partial<RunbookProposal> = {}): RunbookProposal => ({
  key: 'switch-down',
  runbookId: 'switch-down',
  isNew: false,
  source: SOURCE,
  note: 'Add the UPS',
  baseVersion: 1,
  queuedAt: '2026-12-01T08:00:00.000Z',
  proposalId: 'proposal-key-0001',
  state: 'queued',
  ...extra,
})

/** A joined phone with a proposal (and its draft) stored, and a fake server. */
async function phone(proposal = queued()) {
  const name = `outbox-${Date.now()}-${n++}`
  const db = new CommandPostDatabase(name)
  await writeSetting(db, 'sync', { serverUrl: '', token: TEST_TOKEN })
  await writeRunbookDraft(db, {
    key: proposal.key,
    runbookId: proposal.runbookId,
    source: proposal.source,
    note: proposal.note,
    baseVersion: proposal.baseVersion,
    updatedAt: proposal.queuedAt,
  })
  await writeRunbookProposal(db, proposal)
  return { name, db, server: new FakeSyncServer(), timers: new ManualTimers() }
}

function engineFor(db: CommandPostDatabase, fetch: FetchLike, timers: ManualTimers, online = true): SyncEngine {
  const engine = createSyncEngine({ db, fetch, timers, random: () => 0, stream: false, online })
  stoppers.push(engine)
  return engine
}

describe('runbook proposals are sent by the sync engine', () => {
  it('sends a queued proposal after a round, with its idempotency key, and records the version', async () => {
    const { db, server, timers } = await phone()
    const engine = engineFor(db, server.fetch, timers)
    await engine.start()
    await engine.idle()
    expect(server.runbookPosts).toEqual([
      {
        path: '/api/runbooks/switch-down/versions',
        body: { source: SOURCE, note: 'Add the UPS', baseVersion: 1, proposalId: 'proposal-key-0001' },
      },
    ])
    expect(await readRunbookProposal(db, 'switch-down')).toMatchObject({ state: 'proposed', version: 2 })
    // The server has the text: the draft, unchanged since, is done with.
    expect(await readRunbookDraft(db, 'switch-down')).toBeNull()
    // The next round has nothing to send.
    timers.fireNext(45_000)
    await engine.idle()
    expect(server.runbookPosts).toHaveLength(1)
  })

  it('sends nothing while offline, and sends when the browser comes back online', async () => {
    const { db, server, timers } = await phone()
    const engine = engineFor(db, server.fetch, timers, false)
    await engine.start()
    await engine.idle()
    expect(server.runbookPosts).toEqual([])
    expect((await readRunbookProposal(db, 'switch-down'))?.state).toBe('queued')
    engine.setOnline(true)
    await until(async () => expect((await readRunbookProposal(db, 'switch-down'))?.state).toBe('proposed'))
    expect(server.runbookPosts).toHaveLength(1)
  })

  it('keeps a proposal queued after a network failure and sends it again on the next round', async () => {
    const { db, server, timers } = await phone()
    server.fail({ kind: 'network' }, (r) => r.path.startsWith('/api/runbooks'))
    const engine = engineFor(db, server.fetch, timers)
    await engine.start()
    await engine.idle()
    expect(server.runbookVersions).toEqual([])
    expect((await readRunbookProposal(db, 'switch-down'))?.state).toBe('queued')
    timers.fireNext(45_000) // the next round
    await engine.idle()
    expect((await readRunbookProposal(db, 'switch-down'))?.state).toBe('proposed')
    expect(server.runbookVersions).toHaveLength(1)
  })

  it('sends the same key again when the answer was lost, so the server stores the proposal once', async () => {
    const { db, server, timers } = await phone(queued({ proposalId: undefined }))
    let loseNext = true
    const lossy: FetchLike = async (input, init) => {
      const answer = await server.fetch(input, init)
      if (loseNext && String(input).includes('/api/runbooks')) {
        loseNext = false
        throw new TypeError('Failed to fetch') // stored by the server, but the answer never arrived
      }
      return answer
    }
    const engine = engineFor(db, lossy, timers)
    await engine.start()
    await engine.idle()
    // A row queued before keys existed got one, stored before it was first sent.
    const key = (await readRunbookProposal(db, 'switch-down'))?.proposalId
    expect(key).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
    timers.fireNext(45_000)
    await engine.idle()
    expect(server.runbookPosts.map((p) => p.body.proposalId)).toEqual([key, key])
    expect(server.runbookVersions).toHaveLength(1)
    expect(await readRunbookProposal(db, 'switch-down')).toMatchObject({ state: 'proposed', version: 2 })
  })

  it('shows a refusal with the server’s message, keeps the draft, and does not send it again', async () => {
    const { db, server, timers } = await phone()
    server.fail({ kind: 'status', status: 413, code: 'too_large' }, (r) => r.path.startsWith('/api/runbooks'))
    const engine = engineFor(db, server.fetch, timers)
    await engine.start()
    await engine.idle()
    expect(await readRunbookProposal(db, 'switch-down')).toMatchObject({
      state: 'refused',
      status: 413,
      message: 'fault 413', // the server's message, as it sent it
    })
    expect((await readRunbookDraft(db, 'switch-down'))?.source).toBe(SOURCE)
    timers.fireNext(45_000)
    await engine.idle()
    // Refused is final: the one request was the refused one.
    expect(server.requests.filter((r) => r.path.startsWith('/api/runbooks'))).toHaveLength(1)
  })
})

describe('runbook proposals with several tabs open', () => {
  /** Tabs of one profile on one database, as src/sync/leader.test.ts opens them. */
  async function tabs(ids: string[]) {
    const world = await phone()
    const locks = new FakeLocks()
    const channels = new FakeChannels()
    const started: string[] = []
    const opened = ids.map((id) => {
      const db = new CommandPostDatabase(world.name)
      const sync = createLeaderSync({
        db,
        locks: locks.forTab(id),
        channel: channels.forTab(id),
        tabId: id,
        timers: world.timers,
        makeEngine(onChange) {
          const real = createSyncEngine({
            db,
            fetch: world.server.fetch,
            timers: world.timers,
            random: () => 0,
            stream: false,
            onChange,
          })
          return {
            ...real,
            start() {
              started.push(id)
              return real.start()
            },
          }
        },
      })
      stoppers.push(sync)
      return { id, db, sync }
    })
    for (const t of opened) await t.sync.start()
    await until(() => expect(opened[0]!.sync.role).toBe('leader'))
    return { ...world, tabs: opened, started }
  }

  it('only the leader sends: two tabs, a proposal and a nudge from each, one request', async () => {
    const { server, timers, tabs: open, started } = await tabs(['a', 'b'])
    const [a, b] = open as [(typeof open)[0], (typeof open)[0]]
    await until(async () => expect((await readRunbookProposal(b.db, 'switch-down'))?.state).toBe('proposed'))
    expect(started).toEqual(['a'])
    // Both tabs ask for a round (a Propose in each, the network coming back in each).
    b.sync.nudge()
    a.sync.nudge()
    b.sync.setOnline(false)
    b.sync.setOnline(true)
    await timers.waitFor(300)
    timers.fire(300)
    await a.sync.idle()
    await b.sync.idle()
    expect(server.runbookPosts).toHaveLength(1)
    expect(b.sync.role).toBe('follower')
  })

  it('a proposal queued in a follower tab is sent by the leader once the follower nudges', async () => {
    const { server, timers, tabs: open } = await tabs(['a', 'b'])
    const [a, b] = open as [(typeof open)[0], (typeof open)[0]]
    await until(async () => expect((await readRunbookProposal(a.db, 'switch-down'))?.state).toBe('proposed'))
    await writeRunbookProposal(
      b.db,
      queued({
        key: 'printer',
        runbookId: 'printer',
        proposalId: 'proposal-key-0002',
        queuedAt: '2026-12-01T09:00:00Z',
      }),
    )
    b.sync.nudge()
    await timers.waitFor(300)
    timers.fire(300)
    await until(async () => expect((await readRunbookProposal(b.db, 'printer'))?.state).toBe('proposed'))
    expect(server.runbookPosts.map((p) => p.path)).toEqual([
      '/api/runbooks/switch-down/versions',
      '/api/runbooks/printer/versions',
    ])
  })
})
