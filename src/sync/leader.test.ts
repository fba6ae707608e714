import { afterEach, describe, expect, it, vi } from 'vitest'
import { makeIncident } from '../../tests/fixtures/events'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { FakeChannels, FakeLocks } from '../../tests/fixtures/tabs'
import { ManualTimers } from '../../tests/fixtures/timers'
import { CommandPostDatabase } from '../db/database'
import { appendLocalEvents, pendingCount } from '../db/events'
import { readSetting, writeSetting } from '../db/settings'
import { createSyncEngine, type SyncEngine } from './engine'
import { createLeaderSync, LEADER_LOCK, type LeaderSync } from './leader'

let n = 0
const running: LeaderSync[] = []
afterEach(() => {
  for (const t of running.splice(0)) t.stop()
})

/** One browser profile: one database (opened by each tab), one lock manager, one set of channels, one server. */
async function profile(options: { joined?: boolean } = {}) {
  const dbName = `leader-${Date.now()}-${n++}`
  if (options.joined !== false)
    await writeSetting(new CommandPostDatabase(dbName), 'sync', { serverUrl: '', token: TEST_TOKEN })
  const server = new FakeSyncServer()
  const locks = new FakeLocks()
  const channels = new FakeChannels()
  const timers = new ManualTimers()
  /** Engines each tab created, and which of them were started. */
  const started: string[] = []

  /** Open a tab of the app: its own database connection, engine and election. */
  function tab(id: string) {
    const db = new CommandPostDatabase(dbName)
    let engine!: SyncEngine
    const sync = createLeaderSync({
      db,
      locks: locks.forTab(id),
      channel: channels.forTab(id),
      tabId: id,
      timers,
      syncNowTimeoutMs: 5000,
      makeEngine(onChange) {
        const real = createSyncEngine({ db, fetch: server.fetch, timers, random: () => 0, onChange })
        engine = {
          ...real,
          start() {
            started.push(id)
            return real.start()
          },
        }
        return engine
      },
    })
    running.push(sync)
    return { id, db, sync, engine: () => engine }
  }

  /** The tab's window closes: the browser drops its lock and channel, and nothing of it runs any more. */
  function close(t: ReturnType<typeof tab>): void {
    locks.closeTab(t.id)
    channels.closeTab(t.id)
    t.engine().stop()
    running.splice(running.indexOf(t.sync), 1)
  }

  /** Opens these tabs in order, starts each, and waits until the first is the leader. */
  async function leading<const Ids extends readonly string[]>(...ids: Ids) {
    const tabs = ids.map(tab) as { [K in keyof Ids]: ReturnType<typeof tab> }
    for (const t of tabs) await t.sync.start()
    await until(() => expect(tabs[0]!.sync.role).toBe('leader'))
    return tabs
  }

  return { server, locks, channels, timers, started, tab, close, leading }
}

/** Waits on state, bounded so a hang fails instead of stalling the run. */
const until = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 20_000, interval: 5 })

describe('one sync engine per browser profile', () => {
  it('eight tabs run one engine: an entry written in the eighth reaches the server through the leader', async () => {
    const p = await profile()
    const tabs = await p.leading(...Array.from({ length: 8 }, (_, i) => `tab-${i + 1}`))
    expect(tabs.slice(1).map((t) => t.sync.role)).toEqual(Array(7).fill('follower'))
    expect(p.started).toEqual(['tab-1'])
    await until(() => expect(tabs[0]!.sync.snapshot().streaming).toBe(true))
    // One stream for the whole profile, not one per tab.
    expect(p.server.streams).toHaveLength(1)

    const eighth = tabs[7]!
    await appendLocalEvents(eighth.db, makeIncident())
    eighth.sync.nudge()
    await p.timers.waitFor(300)
    p.timers.fire(300)
    await until(() => expect(p.server.stored.map((e) => e.type)).toEqual(['incident.declared']))
    await until(async () => expect(await pendingCount(eighth.db)).toBe(0))
    // The followers show the leader's status, not a status of their own.
    await until(() => expect(eighth.sync.snapshot().status.kind).toBe('synced'))
    expect(p.server.pushes()).toHaveLength(1)
  })

  it('the next tab takes over when the leader closes, and still sends', async () => {
    const p = await profile()
    const [a, b, c] = await p.leading('a', 'b', 'c')

    p.close(a)
    await until(() => expect(b.sync.role).toBe('leader'))
    expect(p.locks.holder(LEADER_LOCK)).toBe('b')
    expect(c.sync.role).toBe('follower')
    expect(p.started).toEqual(['a', 'b'])

    await appendLocalEvents(c.db, makeIncident())
    c.sync.nudge()
    await p.timers.waitFor(300)
    p.timers.fire(300)
    await until(() => expect(p.server.stored).toHaveLength(1))
  })

  it('a frozen leader lets go of the lock, and queues again on resume', async () => {
    const p = await profile({ joined: false })
    const [a, b] = await p.leading('a', 'b')

    a.sync.freeze()
    expect(a.sync.role).toBe('follower')
    await until(() => expect(b.sync.role).toBe('leader'))
    expect(a.engine().snapshot().streaming).toBe(false)

    a.sync.resume()
    b.sync.freeze()
    await until(() => expect(a.sync.role).toBe('leader'))
    expect(p.started).toEqual(['a', 'b', 'a'])
  })

  it('a frozen follower leaves the queue, so the lock never goes to a tab that cannot run', async () => {
    const p = await profile({ joined: false })
    const [a, b, c] = await p.leading('a', 'b', 'c')
    b.sync.freeze()
    p.close(a)
    await until(() => expect(c.sync.role).toBe('leader'))
    expect(b.sync.role).toBe('follower')
  })

  it("a follower's Sync now is run by the leader and answered with its outcome", async () => {
    const p = await profile()
    const [a, b] = await p.leading('a', 'b')
    await until(() => expect(a.sync.snapshot().status.kind).toBe('synced'))
    const pulls = p.server.pulls().length
    const status = await b.sync.syncNow()
    expect(status.kind).toBe('synced')
    expect(p.server.pulls().length).toBeGreaterThan(pulls)
  })

  it('Sync now in a follower with no leader answering gives the status as it stands', async () => {
    const p = await profile({ joined: false })
    const [, b] = await p.leading('a', 'b')
    // The leader's tab is gone but the next has not taken over yet (its channel is already closed).
    p.channels.closeTab('a')
    const answer = b.sync.syncNow()
    await p.timers.waitFor(5000)
    p.timers.fire(5000)
    expect((await answer).kind).toBe('syncing')
  })

  it('settings saved in a follower are taken up by the leader', async () => {
    const p = await profile({ joined: false })
    const [a, b] = await p.leading('a', 'b')
    expect(b.sync.snapshot().status.kind).toBe('local-only')

    await b.sync.configure({ serverUrl: '', token: TEST_TOKEN })
    expect(await readSetting(b.db, 'sync')).toEqual({ serverUrl: '', token: TEST_TOKEN })
    await until(() => expect(a.sync.snapshot().settings?.token).toBe(TEST_TOKEN))
    await until(() => expect(b.sync.snapshot().status.kind).toBe('synced'))
    expect(p.started).toEqual(['a'])
  })

  it('the leader streams while any tab is shown, even when its own is hidden', async () => {
    const p = await profile()
    const [a, b] = await p.leading('a', 'b')
    await until(() => expect(a.sync.snapshot().streaming).toBe(true))
    a.sync.setVisible(false)
    expect(a.engine().snapshot().streaming).toBe(true)
    b.sync.setVisible(false)
    await until(() => expect(a.sync.snapshot().streaming).toBe(false))
  })
})
