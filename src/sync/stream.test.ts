import { describe, expect, it } from 'vitest'
import { makeEvents } from '../../tests/fixtures/events'
import { FakeSyncServer, sseFor, TEST_TOKEN } from '../../tests/fixtures/sync-server'
import { ManualTimers } from '../../tests/fixtures/timers'
import { createSyncApi, SyncError } from './api'
import { runStream, type StreamBatch } from './stream'

function setup() {
  const server = new FakeSyncServer()
  const timers = new ManualTimers()
  const api = createSyncApi({ serverUrl: '', token: TEST_TOKEN }, server.fetch)
  const batches: StreamBatch[] = []
  const controller = new AbortController()
  let opened = 0
  const notices: [string, string][] = []
  const run = (maxBatch = 100) =>
    runStream({
      api,
      after: 0,
      signal: controller.signal,
      maxBatch,
      idleTimeoutMs: 45_000,
      timers,
      onOpen: () => {
        opened++
      },
      onNotice: (name, data) => {
        notices.push([name, data])
      },
      onBatch: async (batch) => {
        batches.push(batch)
      },
    })
  return { server, timers, batches, controller, run, notices, opened: () => opened }
}

/** Yields to the event loop until `check` holds; no deadline of its own (the test timeout bounds a hang). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 1))
}

describe('runStream', () => {
  it('hands a named notice (a runbook was published) to onNotice, never to the events, and reads on', async () => {
    const { server, batches, notices, run } = setup()
    void run()
    await until(() => server.streams.length === 1)
    server.seed(makeEvents(2))
    const [first, second] = server.stored
    server.streams[0]!.write(sseFor([first!]))
    server.streams[0]!.write('event: runbooks\ndata: published network%2Fswitch-down 3\n\n')
    server.streams[0]!.write(sseFor([second!]))
    await until(() => batches.flatMap((b) => b.events).length === 2)
    expect(notices).toEqual([['runbooks', 'published network%2Fswitch-down 3']])
    expect(batches.flatMap((b) => b.events).map((e) => (e as { id: string }).id)).toEqual([first!.id, second!.id])
  })

  it('hands on events in batches no bigger than asked, each with its last seq, and ends when the server does', async () => {
    const { server, batches, run, opened } = setup()
    const done = run(2)
    await until(() => server.streams.length === 1)
    server.seed(makeEvents(5))
    server.streams[0]!.write(sseFor(server.stored))
    await until(() => batches.length === 3)
    expect(batches.map((b) => [b.events.length, b.lastSeq])).toEqual([
      [2, 2],
      [2, 4],
      [1, 5],
    ])
    expect((batches[0]!.events[0] as { id: string }).id).toBe(server.stored[0]!.id)
    server.streams[0]!.close()
    await expect(done).resolves.toBeUndefined()
    expect(opened()).toBe(1)
  })

  it('reads CRLF line ends and messages split anywhere, one character at a time included', async () => {
    const { server, batches, run } = setup()
    void run()
    await until(() => server.streams.length === 1)
    server.seed(makeEvents(3))
    const text = (sseFor(server.stored) + ': heartbeat\n\n').replace(/\n/g, '\r\n')
    for (const char of text) server.streams[0]!.write(char)
    await until(() => batches.flatMap((b) => b.events).length === 3)
    expect(batches.at(-1)!.lastSeq).toBe(3)
    server.streams[0]!.close()
  })

  it('skips a message that is not JSON without losing the ones around it', async () => {
    const { server, batches, run } = setup()
    void run()
    await until(() => server.streams.length === 1)
    server.seed(makeEvents(2))
    server.streams[0]!.write(`${sseFor([server.stored[0]!])}id: 99\ndata: {not json\n\n${sseFor([server.stored[1]!])}`)
    await until(() => batches.flatMap((b) => b.events).length === 2)
    expect(batches.at(-1)!.lastSeq).toBe(2)
    server.streams[0]!.close()
  })

  it('gives up on a connection that goes silent (no heartbeat) as a network failure', async () => {
    const { server, timers, run } = setup()
    const done = run()
    await until(() => server.streams.length === 1)
    expect(timers.fire(45_000)).toBe(1)
    await expect(done).rejects.toMatchObject({ failure: { kind: 'network' } })
  })

  it('keeps the connection while heartbeats arrive', async () => {
    const { server, timers, run } = setup()
    void run()
    await until(() => server.streams.length === 1)
    const armed = () => timers.history.filter((ms) => ms === 45_000).length
    // Armed on connecting, again on ": connected", again on the heartbeat; only the newest is waiting.
    server.streams[0]!.write(': heartbeat\n\n')
    await until(() => armed() === 3)
    expect(timers.pending()).toEqual([45_000])
    server.streams[0]!.close()
  })

  it('reports a refused token as auth, and an abort as an abort', async () => {
    const refused = setup()
    refused.server.token = 'another-token-entirely-000000000000000000000'
    await expect(refused.run()).rejects.toSatisfy((e) => e instanceof SyncError && e.failure.kind === 'auth')

    const aborted = setup()
    const done = aborted.run()
    await until(() => aborted.server.streams.length === 1)
    aborted.controller.abort()
    await expect(done).rejects.toMatchObject({ name: 'AbortError' })
  })
})
