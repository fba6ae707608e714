import { describe, expect, it } from 'vitest'
import { makeEvent, makeEvents } from '../../tests/fixtures/events'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { CommandPostDatabase } from '../db/database'
import { appendLocalEvents, pendingCount } from '../db/events'
import { writeSetting } from '../db/settings'
import { batchEvents, pushWithSavedSettings } from './push'

let n = 0
const bytes = (events: unknown[]) => new TextEncoder().encode(JSON.stringify({ events })).length

describe('batchEvents', () => {
  it('keeps order and cuts at 500 events', () => {
    const events = makeEvents(1001)
    const batches = batchEvents(events)
    expect(batches.map((b) => b.length)).toEqual([500, 500, 1])
    expect(batches.flat()).toEqual(events)
  })

  it('cuts by body size, counting UTF-8 bytes, never over the limit', () => {
    const events = Array.from({ length: 40 }, () => makeEvent('log.entry', { text: 'é'.repeat(900) }))
    const limits = { maxEvents: 500, maxBytes: 10_000 }
    const batches = batchEvents(events, limits)
    expect(batches.length).toBeGreaterThan(1)
    for (const batch of batches) expect(bytes(batch)).toBeLessThanOrEqual(limits.maxBytes)
    // Full batches: adding the next event would have gone over.
    for (let i = 0; i < batches.length - 1; i++)
      expect(bytes([...batches[i]!, batches[i + 1]![0]!])).toBeGreaterThan(limits.maxBytes)
  })
})

describe('pushWithSavedSettings (the service worker’s Background Sync)', () => {
  async function setup(joined: boolean) {
    const db = new CommandPostDatabase(`push-${Date.now()}-${n++}`)
    const server = new FakeSyncServer()
    if (joined) await writeSetting(db, 'sync', { serverUrl: '', token: TEST_TOKEN })
    await appendLocalEvents(db, makeEvents(3))
    return { db, server }
  }

  it('pushes the outbox with the saved settings', async () => {
    const { db, server } = await setup(true)
    expect(await pushWithSavedSettings(db, server.fetch)).toBe('pushed')
    expect(server.stored).toHaveLength(3)
    expect(await pendingCount(db)).toBe(0)
    expect(server.pulls()).toEqual([])
  })

  it('does nothing without a server, and gives up (no retry) on a refused token', async () => {
    const local = await setup(false)
    expect(await pushWithSavedSettings(local.db, local.server.fetch)).toBe('local-only')
    expect(local.server.requests).toEqual([])
    const refused = await setup(true)
    refused.server.token = 'revoked-revoked-revoked-revoked-revoked-000'
    expect(await pushWithSavedSettings(refused.db, refused.server.fetch)).toBe('refused')
    expect(await pendingCount(refused.db)).toBe(3)
  })

  it('rejects on a network failure, so the browser tries again later', async () => {
    const { db, server } = await setup(true)
    server.fail({ kind: 'network' })
    await expect(pushWithSavedSettings(db, server.fetch)).rejects.toMatchObject({ failure: { kind: 'network' } })
    expect(await pendingCount(db)).toBe(3)
  })
})
