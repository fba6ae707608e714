import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { freshApp } from '../../tests/fixtures/app'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { hlcMillis } from '../domain/hlc'
import { recordClockSamples } from '../db/clock-offset'
import { createSyncApi } from '../sync/api'
import { pushOutbox } from '../sync/push'
import { useClockStore } from './clock'
import { useIncidentsStore } from './incidents'

const SERVER_NOW = Date.UTC(2026, 11, 1, 12, 0, 0)
const FAST = 3 * 3_600_000 + 2 * 60_000

// Only Date is faked: IndexedDB's timers run as usual. The phone's clock is 3 h 2 min fast.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(SERVER_NOW + FAST)
})
afterEach(() => {
  useIncidentsStore().stop()
  vi.useRealTimers()
})

describe('a phone whose clock is 3 h 2 min fast', () => {
  it('stamps with corrected time once it knows its offset, and says how far off it is', async () => {
    const { db, dbName } = await freshApp()
    await recordClockSamples(db, [-FAST])
    // The stored offset is read when the app opens.
    const { db: same } = await freshApp('Dana', dbName)
    const clock = useClockStore()
    expect(clock.offsetMs).toBe(-FAST)
    expect(clock.warning).toBe("This phone's clock is 3 h 2 min fast")
    const declared = await useIncidentsStore().declare({ title: 'VPN down', severity: 1 })
    const row = (await same.events.toArray())[0]!
    expect(declared.ok && row.id).toBe(row.event.id)
    expect(hlcMillis(row.hlc)).toBe(SERVER_NOW)
    expect(Date.parse(row.event.at)).toBe(SERVER_NOW)
    expect(row.clockOffsetMs).toBe(-FAST)
  })

  it('corrects what it wrote before it knew, on the phone too, and stops stamping the future', async () => {
    const { db } = await freshApp()
    const store = useIncidentsStore()
    const clock = useClockStore()
    expect(clock.warning).toBeNull()
    const declared = await store.declare({ title: 'VPN down', severity: 1 })
    const id = declared.ok ? declared.value : ''
    await store.record(id, 'log.entry', { text: 'before the first sync', kind: 'note' })
    expect((await db.events.toArray()).map((r) => r.clockOffsetMs)).toEqual([null, null])

    const server = new FakeSyncServer()
    server.clock = () => SERVER_NOW
    const api = createSyncApi({ serverUrl: '', token: TEST_TOKEN }, server.fetch)
    const result = await pushOutbox(db, api)
    expect(result).toMatchObject({ acknowledged: 2, corrected: 2, restamped: 0 })
    expect(server.clockAheadRefusals).toBe(0)
    await vi.waitFor(() => expect(clock.offsetMs).toBe(-FAST))
    expect(clock.warning).toBe("This phone's clock is 3 h 2 min fast")
    // The store replaces what it held with the corrected events.
    await vi.waitFor(() => expect(hlcMillis(store.incident(id)!.events[0]!.hlc)).toBe(SERVER_NOW))
    expect(store.incident(id)!.events.map((e) => e.id)).toEqual(server.stored.map((e) => e.id))

    // The next entry is stamped at the server's time, after the corrected ones, not 3 hours ahead.
    await store.record(id, 'log.entry', { text: 'after the first sync', kind: 'note' })
    const last = store.incident(id)!.events.at(-1)!
    expect(last.hlc > server.stored.at(-1)!.hlc).toBe(true)
    expect(hlcMillis(last.hlc) - SERVER_NOW).toBeLessThan(1000)
    expect((await pushOutbox(db, api)).acknowledged).toBe(1)
    expect(server.clockAheadRefusals).toBe(0)
  })
})
