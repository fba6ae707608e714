/**
 * The sync engine: push the outbox, pull after the cursor, stream while the
 * page is visible, and retry with backoff. Framework-free, so the page, the
 * service worker and tests run the same code.
 *
 * Offline, nothing is lost: local events stay `pending` in IndexedDB until
 * the server acknowledges or refuses them; refused ones stay, marked.
 */
import type { CommandPostDatabase } from '../db/database'
import { pendingCount } from '../db/events'
import { readSetting, writeSetting, type SyncSettings } from '../db/settings'
import { createSyncApi, SyncError, type FetchLike, type SyncApi, type SyncFailure } from './api'
import { backoffDelay } from './backoff'
import { startLiveStream, type LiveStream } from './live'
import { pullAll } from './pull'
import { pushOutbox } from './push'
import type { SyncProblem, SyncStatus } from './status'

export interface Timers {
  set: (fn: () => void, ms: number) => unknown
  clear: (handle: unknown) => void
}

const defaultTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export interface SyncSnapshot {
  status: SyncStatus
  settings: SyncSettings | null
  lastSyncAt: string | null
  /** The event stream is connected. */
  streaming: boolean
}

export interface SyncEngineOptions {
  db: CommandPostDatabase
  fetch?: FetchLike
  now?: () => number
  random?: () => number
  timers?: Timers
  /** Initial network and visibility; later changes come through setOnline / setVisible. */
  online?: boolean
  visible?: boolean
  /** Keep a live stream open while online and visible (default true). */
  stream?: boolean
  /** Pull this often while all is well, in case the stream missed something (default 30 s). */
  intervalMs?: number
  /** Wait this long after a local write, so a burst of entries goes in one push (default 300 ms). */
  debounceMs?: number
  streamIdleTimeoutMs?: number
  onChange?(snapshot: SyncSnapshot): void
}

export interface SyncEngine {
  /** Load the saved settings and begin (a no-op beyond "Local only" without a server). */
  start(): Promise<void>
  stop(): void
  /** Something was written locally: sync soon. */
  nudge(): void
  /** The "Sync now" button: at once, even after a refused token; resolves with the outcome. */
  syncNow(): Promise<SyncStatus>
  /** Save new server settings (null: Local only). A new server starts from cursor 0. */
  configure(settings: SyncSettings | null): Promise<void>
  setOnline(online: boolean): void
  setVisible(visible: boolean): void
  snapshot(): SyncSnapshot
  /** Resolves when no sync round is running (tests). */
  idle(): Promise<void>
}

interface Generation {
  settings: SyncSettings
  api: SyncApi
  /** Aborted when the settings change: calls in flight must not write for the old server. */
  controller: AbortController
}

const PROBLEMS: Record<Exclude<SyncFailure['kind'], 'auth'> | 'storage', SyncProblem> = {
  storage: 'storage',
  network: 'unreachable',
  'too-large': 'server',
  'rate-limited': 'rate-limited',
  server: 'server',
}

export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { db } = options
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const timers = options.timers ?? defaultTimers
  const intervalMs = options.intervalMs ?? 30_000
  const debounceMs = options.debounceMs ?? 300
  const useStream = options.stream ?? true

  let gen: Generation | null = null
  let status: SyncStatus = { kind: 'local-only' }
  let lastSyncAt: string | null = null
  let online = options.online ?? true
  let visible = options.visible ?? true
  let started = false
  let configuring = 0
  /** The token was refused: no more automatic attempts until the settings change. */
  let refused = false
  let failures = 0
  let manual = false
  let retryTimer: unknown = null
  let debounceTimer: unknown = null
  let running: Promise<void> | null = null
  let again = false
  let stream: LiveStream | null = null
  let streaming = false

  const snapshot = (): SyncSnapshot => ({ status, settings: gen?.settings ?? null, lastSyncAt, streaming })
  const emit = () => options.onChange?.(snapshot())
  function setStatus(next: SyncStatus): void {
    status = next
    emit()
  }

  function clearTimer(handle: unknown): null {
    if (handle !== null) timers.clear(handle)
    return null
  }

  function schedule(ms: number): void {
    retryTimer = clearTimer(retryTimer)
    retryTimer = timers.set(() => {
      retryTimer = null
      void requestCycle()
    }, ms)
  }

  /** One round at a time; a request during a round runs one more after it. */
  function requestCycle(): Promise<void> {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        await cycle()
      } while (again)
    })().finally(() => {
      running = null
    })
    return running
  }

  async function cycle(): Promise<void> {
    if (!started || configuring) return
    retryTimer = clearTimer(retryTimer)
    const current = gen
    if (!current) return setStatus({ kind: 'local-only' })
    if (refused && !manual) return
    if (!online) return setStatus({ kind: 'offline' })
    const wasManual = manual
    manual = false
    refused = false
    try {
      // Background rounds while all is well, or retries while failing, do not flicker the indicator.
      const quiet =
        !wasManual && (status.kind === 'error' || (status.kind === 'synced' && (await pendingCount(db)) === 0))
      if (!quiet) setStatus({ kind: 'syncing' })
      await pushOutbox(db, current.api)
      await pullAll(db, current.api, { now })
      if (current !== gen) return
      failures = 0
      lastSyncAt = new Date(now()).toISOString()
      setStatus({ kind: 'synced', at: lastSyncAt })
      schedule(intervalMs)
      ensureStream()
    } catch (e) {
      // Aborted because the settings changed: the new settings' round takes over.
      if (current !== gen || current.controller.signal.aborted) return
      fail(e)
    }
  }

  function fail(e: unknown): void {
    // Anything but a SyncError came from this phone: IndexedDB refusing a write.
    const failure: SyncFailure | { kind: 'storage' } = e instanceof SyncError ? e.failure : { kind: 'storage' }
    if (failure.kind === 'auth') {
      refused = true
      retryTimer = clearTimer(retryTimer)
      void stopStream()
      return setStatus({ kind: 'error', problem: 'auth', retryAt: null })
    }
    let delay = backoffDelay(failures++, { random })
    if (failure.kind === 'rate-limited') delay = Math.max(delay, failure.retryAfterMs)
    setStatus(online ? { kind: 'error', problem: PROBLEMS[failure.kind], retryAt: now() + delay } : { kind: 'offline' })
    schedule(delay)
  }

  function setStreaming(value: boolean): void {
    if (streaming === value) return
    streaming = value
    emit()
  }

  /** Keep one stream open while it makes sense (see live.ts for the reconnecting). */
  function ensureStream(): void {
    if (!useStream || stream || !gen || refused || !online || !visible || !started) return
    stream = startLiveStream({
      db,
      api: gen.api,
      now,
      random,
      setTimer: timers.set,
      clearTimer: timers.clear,
      idleTimeoutMs: options.streamIdleTimeoutMs,
      onOpen() {
        setStreaming(true)
        // The server is back: send what queued up now rather than at the next retry.
        if (status.kind === 'error') void requestCycle()
      },
      onStored() {
        lastSyncAt = new Date(now()).toISOString()
        emit()
      },
      onClosed(failure) {
        setStreaming(false)
        if (failure?.failure.kind === 'auth') fail(failure)
        // Let the indicator find out the server is gone, instead of still saying "Synced".
        else if (failure && status.kind === 'synced') void requestCycle()
      },
    })
  }

  function stopStream(): Promise<void> {
    const current = stream
    stream = null
    setStreaming(false)
    return current ? current.stop() : Promise.resolve()
  }

  function generation(settings: SyncSettings | null): Generation | null {
    if (!settings) return null
    const controller = new AbortController()
    return { settings, controller, api: createSyncApi(settings, fetchFn, controller.signal) }
  }

  function install(settings: SyncSettings | null): void {
    gen = generation(settings)
    refused = false
    failures = 0
    if (!gen) return setStatus({ kind: 'local-only' })
    setStatus(online ? { kind: 'syncing' } : { kind: 'offline' })
    void requestCycle()
  }

  return {
    async start() {
      if (started) return
      started = true
      const [saved, cursor] = await Promise.all([readSetting(db, 'sync'), readSetting(db, 'cursor')])
      lastSyncAt = cursor.lastSyncAt
      install(saved?.token ? saved : null)
    },
    stop() {
      started = false
      retryTimer = clearTimer(retryTimer)
      debounceTimer = clearTimer(debounceTimer)
      gen?.controller.abort()
      void stopStream()
    },
    nudge() {
      debounceTimer = clearTimer(debounceTimer)
      debounceTimer = timers.set(() => {
        debounceTimer = null
        void requestCycle()
      }, debounceMs)
    },
    async syncNow() {
      debounceTimer = clearTimer(debounceTimer)
      manual = true
      failures = 0
      await requestCycle()
      return status
    },
    async configure(next) {
      const serverChanged = (gen?.settings.serverUrl ?? null) !== (next?.serverUrl ?? null)
      configuring++
      try {
        retryTimer = clearTimer(retryTimer)
        gen?.controller.abort()
        // Wait for the old round and stream to let go, so nothing they fetched lands after the reset.
        await Promise.all([running?.catch(() => {}), stopStream()])
        await db.transaction('rw', db.kv, async () => {
          await writeSetting(db, 'sync', next)
          if (serverChanged) await writeSetting(db, 'cursor', { lastSeq: 0, lastSyncAt: null })
        })
        if (serverChanged) lastSyncAt = null
      } finally {
        configuring--
      }
      if (started) install(next)
      else gen = generation(next)
    },
    setOnline(value) {
      if (online === value) return
      online = value
      if (!value) {
        void stopStream()
        if (gen && !refused) setStatus({ kind: 'offline' })
        return
      }
      failures = 0
      void requestCycle()
    },
    setVisible(value) {
      if (visible === value) return
      visible = value
      if (!value) void stopStream()
      else void requestCycle()
    },
    snapshot,
    async idle() {
      while (running) await running
    },
  }
}
