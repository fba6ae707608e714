/**
 * The live stream kept open while the page is visible and online: connect
 * from the saved cursor, store what arrives, and reconnect with backoff when
 * the connection ends or fails, resuming from wherever the cursor got to.
 */
import type { CommandPostDatabase } from '../db/database'
import { readSetting } from '../db/settings'
import { SyncError, type SyncApi } from './api'
import { backoffDelay } from './backoff'
import { storeServerEvents } from './pull'
import { runStream } from './stream'

export interface LiveStreamOptions {
  db: CommandPostDatabase
  api: SyncApi
  now: () => number
  random: () => number
  setTimer: (fn: () => void, ms: number) => unknown
  clearTimer: (handle: unknown) => void
  idleTimeoutMs?: number
  /** Connected (again). */
  onOpen(): void
  /** A batch was stored and the cursor moved. */
  onStored(): void
  /** Disconnected; `failure` when it could not connect or broke, rather than the server ending it. */
  onClosed(failure: SyncError | null): void
}

export interface LiveStream {
  /** Close it for good; resolves once nothing more will be stored. */
  stop(): Promise<void>
}

export function startLiveStream(options: LiveStreamOptions): LiveStream {
  const controller = new AbortController()
  const { signal } = controller

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const handle = options.setTimer(done, ms)
      function done() {
        options.clearTimer(handle)
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done)
    })
  }

  async function loop(): Promise<void> {
    let attempt = 0
    while (!signal.aborted) {
      let failure: SyncError | null = null
      try {
        const { lastSeq } = await readSetting(options.db, 'cursor')
        await runStream({
          api: options.api,
          after: lastSeq,
          signal,
          idleTimeoutMs: options.idleTimeoutMs,
          setTimer: options.setTimer,
          clearTimer: options.clearTimer,
          onOpen() {
            attempt = 0
            options.onOpen()
          },
          async onBatch(batch) {
            await storeServerEvents(options.db, batch.events, batch.lastSeq, options.now)
            options.onStored()
          },
        })
      } catch (e) {
        if (signal.aborted) break
        failure = e instanceof SyncError ? e : new SyncError({ kind: 'network' })
      }
      options.onClosed(failure)
      // A refused token will not start working by reconnecting.
      if (failure?.failure.kind === 'auth') break
      await sleep(backoffDelay(attempt++, { random: options.random }))
    }
  }

  const done = loop()
  return {
    stop() {
      controller.abort()
      return done
    },
  }
}
