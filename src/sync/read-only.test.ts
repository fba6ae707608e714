import { describe, expect, it } from 'vitest'
import { makeEvent } from '../../tests/fixtures/events'
import { FakeSyncServer, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { CommandPostDatabase } from '../db/database'
import { appendLocalEvents, pendingCount } from '../db/events'
import { writeSetting } from '../db/settings'
import { createSyncApi, SyncError, type SyncFailure } from './api'
import { pushWithSavedSettings } from './push'
import { describeSyncStatus } from './status'

let n = 0
async function failureOf(status: number, code: string): Promise<SyncFailure | null> {
  const fetchFn = async () => new Response(JSON.stringify({ error: { code, message: 'no' } }), { status })
  try {
    await createSyncApi({ serverUrl: '', token: 't' }, fetchFn).push([makeEvent('log.entry')])
    return null
  } catch (e) {
    return (e as SyncError).failure
  }
}

describe('a read-only token, on the phone', () => {
  it('tells 403 read_only apart from a refused token', async () => {
    expect(await failureOf(403, 'read_only')).toEqual({ kind: 'read-only' })
    expect(await failureOf(403, 'forbidden')).toEqual({ kind: 'auth' })
    expect(await failureOf(401, 'unauthorized')).toEqual({ kind: 'auth' })
    expect(await failureOf(401, 'wiped')).toEqual({ kind: 'wiped' })
  })

  it('labels the indicator "Read-only", with what waits on the phone', () => {
    expect(describeSyncStatus({ kind: 'read-only', at: '2026-11-01T00:00:00Z' }, 3, 0)).toBe('Read-only · 3 pending')
  })

  it('makes the service worker give up instead of retrying, keeping the outbox', async () => {
    const db = new CommandPostDatabase(`read-only-${n++}`)
    const server = new FakeSyncServer()
    server.readOnly = true
    await writeSetting(db, 'sync', { serverUrl: '', token: TEST_TOKEN })
    await appendLocalEvents(db, [makeEvent('log.entry')])
    expect(await pushWithSavedSettings(db, server.fetch)).toBe('refused')
    expect(await pendingCount(db)).toBe(1)
  })
})
