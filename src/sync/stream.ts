/**
 * One connection to GET /api/events/stream, read with fetch() and a stream
 * reader (EventSource cannot send the token). Events are handed on in small
 * batches, each awaited before reading on, so a phone catching up on a long
 * history holds one chunk in memory, not the whole log.
 */
import { createParser } from 'eventsource-parser'
import type { SyncApi } from './api'
import { SyncError } from './api'
import { systemTimers, type Timers } from './timers'

export interface StreamBatch {
  events: unknown[]
  /** The highest `id:` (seq) in the batch. */
  lastSeq: number
}

export interface StreamOptions {
  api: SyncApi
  after: number
  /** The id of the event at `after`: a server with another history answers 409 cursor_unknown. */
  afterId?: string
  signal: AbortSignal
  /** Called once the server answered 200: the connection is up. */
  onOpen?(): void
  /**
   * A named message (`event: <name>`) arrived: a notice, not an incident
   * event (today `runbooks`: a runbook was published). Never awaited.
   */
  onNotice?(name: string, data: string): void
  /** Store a batch; the stream waits for it. */
  onBatch(batch: StreamBatch): Promise<void>
  /** Nothing at all (not even a heartbeat) for this long: the connection is dead. */
  idleTimeoutMs?: number
  maxBatch?: number
  timers?: Timers
}

/** The server sends a heartbeat every 15 s; three missed ones mean a dead socket. */
export const STREAM_IDLE_TIMEOUT_MS = 45_000
export const STREAM_BATCH = 100

/**
 * Resolves when the server ends the stream (it restarts, or the token was
 * revoked and it closed us); rejects with SyncError when it cannot connect,
 * and with an AbortError when `signal` aborts.
 */
export async function runStream(options: StreamOptions): Promise<void> {
  const timers = options.timers ?? systemTimers
  const maxBatch = options.maxBatch ?? STREAM_BATCH
  const idleMs = options.idleTimeoutMs ?? STREAM_IDLE_TIMEOUT_MS

  // Aborted while the caller was still getting ready (reading the cursor): an abort
  // listener would never fire, and a connection opened now would never be closed.
  options.signal.throwIfAborted()
  // Our own controller: the idle watchdog aborts this connection without aborting the caller.
  const local = new AbortController()
  const forward = () => local.abort()
  options.signal.addEventListener('abort', forward)
  let idle = false
  let watchdog: unknown = null
  const arm = () => {
    if (watchdog !== null) timers.clearTimeout(watchdog)
    watchdog = timers.setTimeout(() => {
      idle = true
      local.abort()
    }, idleMs)
  }

  const queue: { event: unknown; seq: number }[] = []
  // Comments (the server's heartbeats) need no handler: any bytes at all re-arm the watchdog.
  const parser = createParser({
    onEvent(message) {
      // Incident events are unnamed messages; a named one is a notice (docs/CONTRACT-EXTENSIONS.md) and never an event.
      if (message.event !== undefined && message.event !== 'message') {
        options.onNotice?.(message.event, message.data)
        return
      }
      let event: unknown
      try {
        event = JSON.parse(message.data)
      } catch {
        return // a message we cannot read is skipped; the cursor moves past it with the next one
      }
      const seq = Number(message.id ?? '')
      const fromBody = (event as { seq?: unknown } | null)?.seq
      const known = Number.isSafeInteger(seq) && seq > 0 ? seq : typeof fromBody === 'number' ? fromBody : 0
      queue.push({ event, seq: known })
    },
  })

  try {
    arm()
    const response = await options.api.stream(options.after, local.signal, options.afterId)
    options.onOpen?.()
    const body = response.body
    if (!body) throw new SyncError({ kind: 'server', status: response.status, message: 'the stream has no body' })
    const reader = body.getReader()
    const decoder = new TextDecoder()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        arm()
        parser.feed(decoder.decode(value, { stream: true }))
        while (queue.length) {
          const slice = queue.splice(0, maxBatch)
          await options.onBatch({ events: slice.map((q) => q.event), lastSeq: Math.max(...slice.map((q) => q.seq)) })
        }
      }
    } finally {
      reader.releaseLock()
    }
  } catch (e) {
    if (options.signal.aborted) throw e
    if (idle || (e as Error).name === 'AbortError' || !(e instanceof SyncError))
      throw new SyncError({ kind: 'network' })
    throw e
  } finally {
    if (watchdog !== null) timers.clearTimeout(watchdog)
    options.signal.removeEventListener('abort', forward)
    local.abort()
  }
}
