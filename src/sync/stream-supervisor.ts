/**
 * The live stream kept open while the page is visible and online: connect
 * with `?after=<cursor>`, hand on what arrives, and when the connection ends,
 * breaks or goes silent for 45 s (stream.ts's watchdog), reconnect after the
 * retry policy's delay, from wherever the cursor got to meanwhile.
 *
 * Knows nothing of IndexedDB: the engine passes `cursor` and `store`.
 */
import { SyncError, type SyncApi } from './api'
import type { RetryPolicy } from './retry'
import { runStream, type StreamBatch } from './stream'
import type { Timers } from './timers'

export interface StreamSupervisorOptions {
  api: SyncApi
  timers: Timers
  /** Its own policy: the stream's failures do not lengthen the sync rounds' waits. */
  retry: RetryPolicy
  /** The seq to resume after and the id of the event there, read afresh on every (re)connection. */
  cursor(): Promise<{ after: number; afterId?: string }>
  /** Store a batch (and move the cursor); the stream reads on once it resolves. */
  store: (batch: StreamBatch) => Promise<void>
  idleTimeoutMs?: number
  /** A named notice arrived on the stream (see stream.ts `onNotice`). */
  onNotice?(name: string, data: string): void
  /** Connected (again). */
  onOpen(): void
  /** Disconnected; `failure` when it could not connect or broke, null when the server ended it. */
  onClosed(failure: SyncError | null): void
}

export interface StreamSupervisor {
  /** Close it for good; resolves once nothing more will be stored. */
  stop(): Promise<void>
}

/**
 * Starts at once. Stops by itself only on a refused token (401/403: the retry
 * policy says stop), after telling `onClosed`.
 */
export function superviseStream(options: StreamSupervisorOptions): StreamSupervisor {
  const { timers, retry } = options
  const controller = new AbortController()
  const { signal } = controller

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = timers.setTimeout(done, ms)
      function done() {
        timers.clearTimeout(handle)
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done)
    })
  }

  async function loop(): Promise<void> {
    while (!signal.aborted) {
      let failure: SyncError | null = null
      try {
        const { after, afterId } = await options.cursor()
        await runStream({
          api: options.api,
          after,
          afterId,
          signal,
          idleTimeoutMs: options.idleTimeoutMs,
          timers,
          onOpen() {
            retry.succeeded()
            options.onOpen()
          },
          onBatch: options.store,
          onNotice: (name, data) => options.onNotice?.(name, data),
        })
      } catch (e) {
        if (signal.aborted) break
        failure = e instanceof SyncError ? e : new SyncError({ kind: 'network' })
      }
      options.onClosed(failure)
      // A stream the server ended cleanly is retried like a broken one: it may be restarting.
      const decision = retry.failed(failure?.failure ?? { kind: 'network' })
      if (decision.kind === 'stop' || signal.aborted) break
      await sleep(decision.delayMs)
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
