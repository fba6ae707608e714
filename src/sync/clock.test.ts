import { describe, expect, it } from 'vitest'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { clockWarning } from '../domain/clock-offset'
import type { IncidentEvent } from '../domain/events'
import { createEvent } from '../domain/factory'
import { HybridClock, hlcMillis } from '../domain/hlc'
import { CommandPostDatabase, SyncState } from '../db/database'
import { readClockOffset, recordClockSamples } from '../db/clock-offset'
import { appendLocalEvents } from '../db/events'
import { writeSetting } from '../db/settings'
import { createSyncApi } from './api'
import { pushOutbox } from './push'

/** The server's clock; phones are off it by what each test says. */
const SERVER_NOW = Date.UTC(2026, 11, 1, 12, 0, 0)
const HOUR = 3_600_000
let n = 0

async function phone(errorMs: number) {
  const db = new CommandPostDatabase(`clock-${Date.now()}-${n++}`)
  const server = new FakeSyncServer()
  server.clock = () => SERVER_NOW
  await writeSetting(db, 'sync', { serverUrl: '', token: TEST_TOKEN })
  const deviceNow = () => SERVER_NOW + errorMs
  const clock = new HybridClock('phone-a', deviceNow)
  const actor = { id: 'phone-a', name: 'A' }
  /** An incident with `entries` log entries (the last one amends the first: a reference by id). */
  function incident(entries: number): IncidentEvent[] {
    const made = (e: ReturnType<typeof createEvent>) => {
      if (!e.ok) throw new Error(e.reason)
      return e.value
    }
    const declared = made(
      createEvent({ clock, actor, now: deviceNow }, 'incident.declared', 'INCIDENT-1', {
        title: 'VPN down',
        severity: 1,
      }),
    )
    const logs = Array.from({ length: entries }, (_, i) =>
      made(
        createEvent({ clock, actor, now: deviceNow }, 'log.entry', declared.incidentId, {
          text: `entry ${i}`,
          kind: 'note',
        }),
      ),
    )
    const amend = logs.length
      ? [
          made(
            createEvent({ clock, actor, now: deviceNow }, 'log.amended', declared.incidentId, {
              entryId: logs[0]!.id,
              struck: true,
              reason: 'wrong',
            }),
          ),
        ]
      : []
    return [declared, ...logs, ...amend]
  }
  const api = createSyncApi({ serverUrl: '', token: TEST_TOKEN }, server.fetch, undefined, deviceNow)
  const push = () => pushOutbox(db, api, undefined, { now: deviceNow })
  return { db, server, incident, push, deviceNow }
}

describe('events stamped before the phone knew its offset', () => {
  for (const [name, errorMs] of [
    ['3 h fast', 3 * HOUR],
    ['3 h slow', -3 * HOUR],
    ['a year fast', 365 * 24 * HOUR],
  ] as const)
    it(`are corrected by the offset before their first push (${name}); ids, order and references kept`, async () => {
      const p = await phone(errorMs)
      const events = p.incident(3)
      await appendLocalEvents(p.db, events, null)
      const result = await p.push()
      expect(result).toMatchObject({ acknowledged: 5, rejected: 0, corrected: 5, restamped: 0 })
      // The server was asked its time before anything left.
      expect(p.server.requests[0]!.path).toBe('/api/health')
      expect(p.server.clockAheadRefusals).toBe(0)
      const stored = p.server.stored
      expect(stored.map((e) => e.id)).toEqual(events.map((e) => e.id))
      for (const e of stored) {
        expect(Math.abs(hlcMillis(e.hlc) - SERVER_NOW)).toBeLessThan(1000)
        expect(Math.abs(Date.parse(e.at) - SERVER_NOW)).toBeLessThan(1000)
      }
      expect([...stored.map((e) => e.hlc)].sort()).toEqual(stored.map((e) => e.hlc))
      expect((stored.at(-1)!.payload as { entryId: string }).entryId).toBe(events[1]!.id)
      expect(await readClockOffset(p.db)).toBe(-errorMs)
      const rows = await p.db.events.toArray()
      expect(rows.every((r) => r.sent && r.sync === SyncState.acknowledged && r.clockOffsetMs === -errorMs)).toBe(true)
    })

  it('are left as they are when the server is older and tells no time', async () => {
    const p = await phone(3 * HOUR)
    p.server.clock = null
    const events = p.incident(1)
    await appendLocalEvents(p.db, events, null)
    expect(await p.push()).toMatchObject({ acknowledged: 3, corrected: 0, restamped: 0 })
    expect(p.server.stored.map((e) => e.hlc)).toEqual(events.map((e) => e.hlc))
  })

  it('stamped with a fresh known offset, or written before this release, are not moved', async () => {
    const p = await phone(0)
    await recordClockSamples(p.db, [0], p.deviceNow())
    const corrected = p.incident(1)
    const legacy = p.incident(1)
    await appendLocalEvents(p.db, corrected, 0)
    await appendLocalEvents(p.db, legacy)
    expect(await p.push()).toMatchObject({ acknowledged: 6, corrected: 0 })
    // The offset is fresh: the server is not asked its time first.
    expect(p.server.requests.map((r) => r.path)).toEqual(['/api/events'])
    expect(p.server.stored.map((e) => e.hlc)).toEqual([...corrected, ...legacy].map((e) => e.hlc))
  })

  it('stamped with a known offset are not moved, even once the offset changed (they may be right)', async () => {
    const p = await phone(-24 * HOUR)
    // Stamped an hour ago with the right clock; then someone set the clock a day back.
    await recordClockSamples(p.db, [0], SERVER_NOW - HOUR)
    const events = p.incident(0)
    await appendLocalEvents(p.db, events, 0)
    expect(await p.push()).toMatchObject({ acknowledged: 1, corrected: 0 })
    expect(p.server.stored.map((e) => e.hlc)).toEqual(events.map((e) => e.hlc))
  })
})

describe('events refused clock_ahead', () => {
  it('are re-stamped, exactly those, in order, and pushed again until taken', async () => {
    const p = await phone(3 * HOUR)
    const events = p.incident(2)
    // Sent once by a phone that did not correct them (an older app): never re-stamped unless refused.
    const [declared, ...rest] = events
    const past = { ...declared!, hlc: `${String(SERVER_NOW - 60_000).padStart(15, '0')}:00000:phone-a` }
    await appendLocalEvents(p.db, [past, ...rest])
    await p.db.events.toCollection().modify({ sent: true })
    const result = await p.push()
    expect(p.server.clockAheadRefusals).toBe(3)
    expect(result).toMatchObject({ acknowledged: 4, rejected: 0, restamped: 3, corrected: 0 })
    const stored = p.server.stored
    expect(stored[0]!.hlc).toBe(past.hlc)
    expect(stored.slice(1).map((e) => e.id)).toEqual(rest.map((e) => e.id))
    for (const e of stored.slice(1)) expect(hlcMillis(e.hlc)).toBeLessThanOrEqual(SERVER_NOW)
    expect([...stored.map((e) => e.hlc)].sort()).toEqual(stored.map((e) => e.hlc))
    expect((stored.at(-1)!.payload as { entryId: string }).entryId).toBe(rest[0]!.id)
    expect(await p.db.events.where('sync').equals(SyncState.pending).count()).toBe(0)
  })

  it('after the clock was set forward: refused, then moved back by the change in offset', async () => {
    const p = await phone(3 * HOUR)
    // Synced when the clock was right (offset 0), then set 3 h ahead: stamps are 3 h ahead.
    await recordClockSamples(p.db, [0], SERVER_NOW + 3 * HOUR - 60_000)
    const events = p.incident(1)
    await appendLocalEvents(p.db, events, 0)
    const result = await p.push()
    expect(result).toMatchObject({ acknowledged: 3, corrected: 0, restamped: 3 })
    expect(p.server.clockAheadRefusals).toBe(3)
    expect(p.server.stored.map((e) => e.id)).toEqual(events.map((e) => e.id))
    for (const [i, e] of p.server.stored.entries()) expect(hlcMillis(e.hlc)).toBe(Date.parse(events[i]!.at) - 3 * HOUR)
  })

  it('stay pending, never refused, when the server keeps refusing them', async () => {
    const p = await phone(0)
    const events = p.incident(1)
    await appendLocalEvents(p.db, events, 0)
    for (const e of events) p.server.refuse.set(e.id, 'clock_ahead')
    const result = await p.push()
    expect(result).toMatchObject({ acknowledged: 0, rejected: 0, restamped: 3 * events.length })
    const rows = await p.db.events.toArray()
    expect(rows.map((r) => r.sync)).toEqual(events.map(() => SyncState.pending))
    // Nothing lost: the same ids wait for the next sync.
    expect(rows.map((r) => r.id).sort()).toEqual(events.map((e) => e.id).sort())
  })
})

describe('the offset', () => {
  it('is the median of the last 9 samples, persisted', async () => {
    const db = new CommandPostDatabase(`offset-${n++}`)
    expect(await readClockOffset(db)).toBeNull()
    await recordClockSamples(db, [100, 90_000, 110])
    expect(await readClockOffset(db)).toBe(110)
    await recordClockSamples(
      db,
      Array.from({ length: 9 }, (_, i) => -5000 - i),
    )
    expect(await readClockOffset(db)).toBe(-5004)
    expect(await readClockOffset(new CommandPostDatabase(db.name))).toBe(-5004)
  })

  it('names the difference once it is over 2 minutes', () => {
    expect(clockWarning(null)).toBeNull()
    expect(clockWarning(-120_000)).toBeNull()
    expect(clockWarning(-(3 * HOUR + 2 * 60_000))).toBe("This phone's clock is 3 h 2 min fast")
    expect(clockWarning(5 * 60_000)).toBe("This phone's clock is 5 min slow")
    expect(clockWarning(-366 * 24 * HOUR)).toBe("This phone's clock is 366 d fast")
  })
})
