import { describe, expect, it } from 'vitest'
import { makeEvents } from '../../tests/fixtures/events'
import { FakeSyncServer, sseFor, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { ManualTimers } from '../../tests/fixtures/timers'
import { createSyncApi, type SyncError } from './api'
import { createRetryPolicy } from './retry'
import type { StreamBatch } from './stream'
import { superviseStream } from './stream-supervisor'

/** Callbacks recorded in order, and a promise for the next one of a kind: tests wait on what happened. */
function recorder() {
  const log: string[] = []
  const waiting: { kind: string; resolve(): void }[] = []
  const record = (entry: string) => {
    log.push(entry)
    for (const w of waiting.filter((w) => entry.startsWith(w.kind))) {
      waiting.splice(waiting.indexOf(w), 1)
      w.resolve()
    }
  }
  const next = (kind: string) => new Promise<void>((resolve) => waiting.push({ kind, resolve }))
  return { log, record, next }
}

function setup(token = TEST_TOKEN) {
  const server = new FakeSyncServer()
  const timers = new ManualTimers()
  const events = recorder()
  let cursor = 0
  const batches: StreamBatch[] = []
  const supervisor = superviseStream({
    api: createSyncApi({ serverUrl: '', token }, server.fetch),
    timers,
    retry: createRetryPolicy({ random: () => 0 }),
    idleTimeoutMs: 45_000,
    cursor: async () => ({ after: cursor }),
    async store(batch) {
      batches.push(batch)
      cursor = batch.lastSeq
      events.record(`stored ${batch.lastSeq}`)
    },
    onOpen: () => events.record('open'),
    onClosed: (failure: SyncError | null) => events.record(`closed ${failure?.failure.kind ?? 'by server'}`),
  })
  return { server, timers, events, batches, supervisor }
}

describe('stream supervisor', () => {
  it('connects after the cursor, stores what arrives, and after the server ends it reconnects from the new cursor', async () => {
    const { server, timers, events, batches, supervisor } = setup()
    const opened = events.next('open')
    await opened
    expect(server.streams[0]!.after).toBe(0)
    server.seed(makeEvents(3))
    const stored = events.next('stored 3')
    server.streams[0]!.write(sseFor(server.stored))
    await stored
    expect(batches.flatMap((b) => b.events)).toHaveLength(3)

    server.streams[0]!.close()
    await timers.waitFor(500)
    expect(events.log.at(-1)).toBe('closed by server')
    const reopened = events.next('open')
    timers.fire(500)
    await reopened
    expect(server.streams[1]!.after).toBe(3)
    await supervisor.stop()
  })

  it('treats 45 s without a byte as a dead connection, and starts the backoff over once a connection opens', async () => {
    const { server, timers, events, supervisor } = setup()
    await events.next('open')
    server.streams[0]!.write(': heartbeat\n\n')
    await timers.waitFor(45_000)
    expect(timers.pending()).toEqual([45_000]) // re-armed, not stacked
    timers.fire(45_000)
    await timers.waitFor(500)
    expect(events.log).toEqual(['open', 'closed network'])
    const reopened = events.next('open')
    timers.fire(500)
    await reopened
    // Open again: the next failure waits the shortest time again.
    timers.fire(45_000)
    await timers.waitFor(500)
    await supervisor.stop()
  })

  it('gives up on a refused token without scheduling a reconnect', async () => {
    const { timers, events, supervisor } = setup('not-the-token-the-server-knows-0000000000000')
    await events.next('closed auth')
    await supervisor.stop()
    expect(events.log).toEqual(['closed auth'])
    expect(timers.pending()).toEqual([])
  })

  it('stop() while the cursor is being read opens no connection', async () => {
    const { server, events, supervisor } = setup()
    await supervisor.stop() // the cursor read is still a pending promise here
    expect(server.streams).toHaveLength(0)
    expect(events.log).toEqual([])
  })

  it('stop() ends a connection and a wait alike, and nothing opens after', async () => {
    const { server, timers, events, supervisor } = setup()
    await events.next('open')
    server.streams[0]!.close()
    await timers.waitFor(500)
    await supervisor.stop()
    expect(timers.pending()).toEqual([])
    expect(timers.fire(500)).toBe(0)
    expect(server.streams).toHaveLength(1)
  })
})
