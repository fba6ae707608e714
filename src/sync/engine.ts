/**
 * The sync engine: push the outbox, pull after the cursor, stream while the
 * page is visible, and retry with backoff. Framework-free, so the page, the
 * service worker and tests run the same code.
 *
 * Offline, nothing is lost: local events stay `pending` in IndexedDB until
 * the server acknowledges or refuses them; refused ones stay, marked.
 */
import { singleFlight } from '../domain/single-flight'
import type { CommandPostDatabase } from '../db/database'
import { recordClockSamples } from '../db/clock-offset'
import { pendingCount } from '../db/events'
import { readSetting, writeSetting, type SyncSettings } from '../db/settings'
import { validateEvent } from '../domain/events'
import { revalidateUnreadable } from '../db/unreadable'
import { wipePhone } from '../db/wipe'
import { createSyncApi, isCursorUnknown, SyncError, type FetchLike, type SyncApi } from './api'
import { pullAll, storeServerEvents } from './pull'
import { createRunbookApi } from './runbook-api'
import { refreshRunbookCatalogue, workerCompiler, type CompilerWorker } from './runbook-catalogue'
import { sendRunbookOutbox } from './runbook-outbox'
import { pushOutbox } from './push'
import { adoptScope, joinScoped, refreshRemote } from './scope'
import { reconcileDue, reconcileScope } from './evict'
import { openIncidents } from './open-incidents'
import { clearPushHold, holdAllowsPull, holdFor, readPushHold, savePushHold } from './push-hold'
import { createRetryPolicy, type RetryableFailure } from './retry'
import type { SyncProblem, SyncStatus } from './status'
import { superviseStream, type StreamSupervisor } from './stream-supervisor'
import { systemTimers, timerSlot, type Timers } from './timers'

export type { Timers } from './timers'

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
  /** Jitter for the retry delays, 0 ≤ random() < 1. */
  random?: () => number
  /** The clock and timers of every part (retries, debounce, interval, stream watchdog). */
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
  /**
   * The server's runbook catalogue may have changed: after every successful
   * round (so at start and every `intervalMs`) and at once when the stream
   * says a runbook was published. The caller refreshes its catalogue (an
   * If-None-Match request: cheap when nothing changed). Never awaited.
   */
  onRunbooks?(settings: SyncSettings): void
  /**
   * Starts the worker that compiles runbook versions. With one, the engine
   * keeps this phone's copy of the server's published runbooks
   * (src/sync/runbook-catalogue.ts) at the same moments as `onRunbooks`; null:
   * it does not. Default: src/runbooks/compile-worker.ts where the platform has
   * workers (a page), none elsewhere (Node tests).
   */
  runbookCompiler?: (() => CompilerWorker) | null
  /**
   * The incidents some page holds open, never evicted by scoped sync
   * (src/sync/evict.ts); null: not known, nothing is evicted. Default: the
   * Web Locks pages take (src/sync/open-incidents.ts).
   */
  openIncidents?: () => Promise<ReadonlySet<string> | null>
}

/**
 * The compiler worker, referred to by URL only (no import: the sync layer does
 * not load the runbook pipeline, and no page chunk carries the compiler).
 */
const defaultRunbookCompiler =
  typeof Worker === 'undefined'
    ? null
    : () => new Worker(new URL('../runbooks/compile-worker.ts', import.meta.url), { type: 'module' })

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
  /** Resolves when no sync round, and no runbook proposal send or scoped sync's eviction it started, is running (tests). */
  idle(): Promise<void>
}

interface Generation {
  settings: SyncSettings
  api: SyncApi
  /** Aborted when the settings change: calls in flight must not write for the old server. */
  controller: AbortController
  /** The server refused a push as read-only: rounds only pull until the settings change or "Sync now". */
  readOnly: boolean
  /** This server's clock has been sampled (a push answer or /api/health): the offset is its. */
  clockChecked: boolean
  /** The server answered 404 to `GET /api/summaries`: this phone pulls everything from it (src/sync/scope.ts). */
  unscoped: boolean
}

/**
 * How long a wipe waits for the round under way (a push in flight) to be answered
 * before cutting it off: far longer than any answer takes, short enough that a hung
 * connection cannot keep a lost phone's data.
 */
const WIPE_WAIT_MS = 30_000

const PROBLEMS: Record<RetryableFailure['kind'], SyncProblem> = {
  auth: 'auth',
  'read-only': 'auth',
  wiped: 'auth',
  storage: 'storage',
  network: 'unreachable',
  'too-large': 'server',
  'rate-limited': 'rate-limited',
  quota: 'quota',
  'server-storage': 'server-storage',
  server: 'server',
  'bad-answer': 'bad-answer',
}

/** Refusals of a push that leave reads working: the round still pulls, and sending waits for Retry-After. */
function pushHeldBy(e: unknown): (SyncError & { failure: { kind: 'quota' | 'server-storage' } }) | null {
  if (!(e instanceof SyncError)) return null
  return e.failure.kind === 'quota' || e.failure.kind === 'server-storage'
    ? (e as SyncError & { failure: { kind: 'quota' | 'server-storage' } })
    : null
}

/**
 * Composes the parts: rounds (push then pull) run one at a time through a
 * single-flight scheduler; their failures go to a retry policy whose delay
 * a timer slot waits out; a stream supervisor keeps the live stream open.
 * What is left here is the state the indicator shows and when to start what.
 */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  const { db } = options
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const timers = options.timers ?? systemTimers
  const now = () => timers.now()
  const random = options.random ?? Math.random
  const intervalMs = options.intervalMs ?? 30_000
  const debounceMs = options.debounceMs ?? 300
  const useStream = options.stream ?? true

  const rounds = singleFlight(round)
  const retry = createRetryPolicy({ random })
  /** The next round: the retry after a failure, or the regular interval while all is well. */
  const nextRound = timerSlot(timers)
  const debounce = timerSlot(timers)

  let gen: Generation | null = null
  let status: SyncStatus = { kind: 'local-only' }
  let lastSyncAt: string | null = null
  let online = options.online ?? true
  let visible = options.visible ?? true
  let started = false
  let configuring = 0
  /** syncNow() asked: this round runs even after a refused token, and shows "Syncing". */
  let manual = false
  let stream: StreamSupervisor | null = null
  let streaming = false
  /**
   * The server refused pushes until `until` (quota used up, storage full). Until
   * then rounds only pull, whatever asks for them (a local write, the stream
   * reopening); only "Sync now" pushes sooner.
   */
  let hold: { until: number; problem: SyncProblem } | null = null
  /** The server said this phone was wiped: nothing syncs any more in this page. */
  let wiped = false
  let wiping: Promise<void> | null = null

  /** One catalogue refresh at a time; a notice during one runs one more after it. Failures change nothing stored. */
  const runbookRefresh = singleFlight(async () => {
    const current = gen
    const create = options.runbookCompiler === undefined ? defaultRunbookCompiler : options.runbookCompiler
    if (!current || !create || !online) return
    const compiler = workerCompiler(create)
    try {
      await refreshRunbookCatalogue({
        db,
        api: createRunbookApi(current.settings, fetchFn),
        serverUrl: current.settings.serverUrl,
        compile: compiler.compile,
        now,
      })
    } finally {
      compiler.close()
    }
  })
  /**
   * Sends the runbook proposals queued on this phone (src/sync/runbook-outbox.ts): after
   * every good round, so at start, when the browser comes back online (which asks for a
   * round), every `intervalMs`, and soon after "Propose" (the editor nudges). Only the
   * engine sends, and only the leader tab runs one (src/sync/leader.ts), so two tabs never
   * both send a proposal. A static import, as the catalogue refresh's: the engine is a
   * lazy chunk already, and a dynamic import here split the first screen's shared chunk
   * (Vite's preload helper went into a chunk of its own, +1 kB on the first screen).
   * One run at a time; a failure leaves the proposals queued for the next round.
   */
  const proposalSend = singleFlight(async () => {
    const current = gen
    if (!current || !online || wiped) return
    // Cut off with the round's calls when the settings change or a wipe cannot wait: it stays queued.
    const signal = current.controller.signal
    const bound: FetchLike = (input, init) => fetchFn(input, { ...init, signal })
    await sendRunbookOutbox(db, createRunbookApi(current.settings, bound))
  })
  /**
   * Scoped sync's eviction and widening (src/sync/evict.ts): after a good round,
   * when a day has passed or the window changed. Only the leader's engine runs
   * it. One run at a time; a failure (offline, a refused fetch, storage) leaves
   * the last run's mark, so a later round runs it again.
   */
  const scopeReconcile = singleFlight(async () => {
    const current = gen
    if (!current || current.unscoped || !online || wiped || !(await reconcileDue(db, now()))) return
    await reconcileScope(db, current.api, { now, openIncidents: options.openIncidents ?? (() => openIncidents()) })
  })
  function reconcileScopeSoon(): void {
    void scopeReconcile.run().catch(() => {
      // Nothing lost: eviction deletes only acknowledged events, in one transaction; the next round asks again.
    })
  }

  function sendProposals(): void {
    void proposalSend.run().catch(() => {
      // Storage refused a write: the proposals stay as stored; the next round tries again.
    })
  }

  /** The server's runbooks may have changed (a good round, a stream notice). */
  function runbooksChanged(settings: SyncSettings): void {
    options.onRunbooks?.(settings)
    void runbookRefresh.run().catch(() => {
      // Offline, refused or a bad answer: what is stored stays; the next round asks again.
    })
  }

  const snapshot = (): SyncSnapshot => ({ status, settings: gen?.settings ?? null, lastSyncAt, streaming })
  const emit = () => options.onChange?.(snapshot())
  function setStatus(next: SyncStatus): void {
    status = next
    emit()
  }

  const requestRound = () => rounds.run()
  const roundIn = (ms: number) => nextRound.set(() => void requestRound(), ms)

  /** One push-then-pull; never throws (a failure becomes a status and a retry). */
  async function round(): Promise<void> {
    if (!started || configuring || wiped) return
    nextRound.clear()
    const current = gen
    if (!current) return setStatus({ kind: 'local-only' })
    if (retry.stopped && !manual) return
    if (!online) return setStatus({ kind: 'offline' })
    const wasManual = manual
    manual = false
    // A manual attempt lifts a refused token's stop: if it fails otherwise, retries resume.
    if (wasManual) retry.clear()
    try {
      // A Retry-After kept in IndexedDB (the service worker may have been told it): wait for it, unless "Sync now".
      const saved = await readPushHold(db)
      const waiting = saved && !wasManual && now() < saved.until ? saved : null
      if (waiting && !holdAllowsPull(waiting)) {
        // A rate limit or a 503: no request at all before then.
        setStatus({ kind: 'error', problem: PROBLEMS[waiting.kind], retryAt: waiting.until })
        return roundIn(waiting.until - now())
      }
      if (waiting && (!hold || hold.until < waiting.until))
        hold = { until: waiting.until, problem: PROBLEMS[waiting.kind] }
      const held = hold && !wasManual && now() < hold.until ? hold : null
      // Background rounds while all is well, or retries while failing, do not flicker the indicator.
      const quiet =
        !wasManual &&
        (status.kind === 'error' ||
          status.kind === 'read-only' ||
          (status.kind === 'synced' && (await pendingCount(db)) === 0))
      if (!quiet) setStatus({ kind: 'syncing' })
      let refused: SyncError | null = null
      // A read-only token is asked again only when someone taps "Sync now" (it may have been made writable).
      if (!held && (!current.readOnly || wasManual)) {
        try {
          const pushed = await pushOutbox(db, current.api, undefined, { now })
          if (pushed.clockSamples) current.clockChecked = true
          current.readOnly = false
          hold = null
          if (saved) await clearPushHold(db)
        } catch (e) {
          if (e instanceof SyncError && e.failure.kind === 'read-only') current.readOnly = true
          else {
            // Quota or full storage: what others send can still be fetched.
            refused = pushHeldBy(e)
            if (!refused) throw e
          }
        }
      }
      await joinIfNew(current)
      const pulled = await pullAll(db, current.api, { now })
      // Remote overviews touched by this pull, or by streamed events whose own refresh failed.
      const touched = [...pulled.incidents, ...scopeRefresh.touched]
      await refreshRemote(db, current.api, touched, { now })
      for (const id of touched) scopeRefresh.touched.delete(id)
      // A restored server lacked these: send them again now, not a round later (unless pushing is on hold).
      if (pulled.requeued && current === gen && !held && !refused && !current.readOnly)
        await pushOutbox(db, current.api, undefined, { now })
      if (current !== gen) return
      if (!current.clockChecked) await checkClock(current)
      if (refused || held) {
        ensureStream()
        if (refused) return await fail(refused)
        setStatus({ kind: 'error', problem: held!.problem, retryAt: held!.until })
        return roundIn(held!.until - now())
      }
      retry.succeeded()
      lastSyncAt = new Date(now()).toISOString()
      setStatus(current.readOnly ? { kind: 'read-only', at: lastSyncAt } : { kind: 'synced', at: lastSyncAt })
      roundIn(intervalMs)
      ensureStream()
      runbooksChanged(current.settings)
      sendProposals()
      reconcileScopeSoon()
    } catch (e) {
      // Aborted because the settings changed: the new settings' round takes over.
      if (current !== gen || current.controller.signal.aborted) return
      await fail(e)
    }
  }

  /**
   * A phone that never pulled from this server (cursor 0, no recovery under way)
   * joins by summaries: every overview, and the events of the incidents it holds
   * in full (src/sync/scope.ts). The pull then goes on from the seq they reflect.
   * One that pulled everything before is scoped from its cursor (adoptScope), so
   * eviction applies to it too.
   */
  async function joinIfNew(current: Generation): Promise<void> {
    if (current.unscoped) return
    const cursor = await readSetting(db, 'cursor')
    if (cursor.recovering || (await readSetting(db, 'scope')) !== null) return
    // A phone that pulled everything before (an older version, or an older server) is scoped from where it is.
    const scoped = cursor.lastSeq === 0 ? joinScoped(db, current.api, { now }) : adoptScope(db, current.api)
    if (!(await scoped)) current.unscoped = true
  }

  /** Remote overviews the stream touched: one refresh at a time; after a failure the ids wait for the next round. */
  const scopeRefresh = {
    touched: new Set<string>(),
    flight: singleFlight(async () => {
      const current = gen
      const touched = [...scopeRefresh.touched]
      if (!current || !touched.length) return
      await refreshRemote(db, current.api, touched, { now })
      for (const id of touched) scopeRefresh.touched.delete(id)
    }),
  }

  /**
   * The server said this phone was wiped: stop syncing, let the round under way
   * settle (a push in flight gets its answer and has it stored first: what the
   * server acknowledged is never taken for lost), then delete the data. Only a
   * round still hanging after WIPE_WAIT_MS is cut off. Called again while under
   * way (the round's own pull is refused too), it is the same wipe.
   */
  function wipe(): Promise<void> {
    wiping ??= runWipe()
    return wiping
  }

  async function runWipe(): Promise<void> {
    wiped = true
    nextRound.clear()
    debounce.clear()
    await stopStream()
    const current = gen
    const cutOff = timers.setTimeout(() => current?.controller.abort(), WIPE_WAIT_MS)
    await rounds.idle()
    // A proposal being sent gets its answer stored before the data goes, as a push does.
    await proposalSend.idle()
    await scopeReconcile.idle()
    timers.clearTimeout(cutOff)
    gen?.controller.abort()
    gen = null
    await wipePhone(db, undefined, now)
    setStatus({ kind: 'wiped' })
  }

  /**
   * A phone with nothing to push still learns its offset from this server
   * (for the clock warning and the times it shows), once per server: after
   * the round's pull, so it never delays sending. A failure here is not the
   * round's; the next round asks again.
   */
  async function checkClock(current: Generation): Promise<void> {
    try {
      const { clockSample } = await current.api.health()
      if (clockSample !== null) await recordClockSamples(db, [clockSample], now())
      current.clockChecked = true
    } catch {
      // Offline again, or an older server without /api/health's `now`: the next round asks again.
    }
  }

  /** A round failed: the status, and when to try again. Resolves once a Retry-After is stored for the worker. */
  async function fail(e: unknown): Promise<void> {
    // Anything but a SyncError came from this phone: IndexedDB refusing a write.
    const failure: RetryableFailure = e instanceof SyncError ? e.failure : { kind: 'storage' }
    if (failure.kind === 'wiped') {
      void wipe()
      return
    }
    const decision = retry.failed(failure)
    if (decision.kind === 'stop') {
      nextRound.clear()
      void stopStream()
      return setStatus({ kind: 'error', problem: 'auth', retryAt: null })
    }
    if (failure.kind === 'quota' || failure.kind === 'server-storage')
      hold = { until: now() + decision.delayMs, problem: PROBLEMS[failure.kind] }
    // The service worker's Background Sync must not push before Retry-After either (src/sync/push-hold.ts).
    const wait = failure.kind === 'storage' ? null : holdFor(failure, now(), decision.delayMs)
    if (wait) await savePushHold(db, wait).catch(() => {})
    setStatus(
      online
        ? { kind: 'error', problem: PROBLEMS[failure.kind], retryAt: now() + decision.delayMs }
        : { kind: 'offline' },
    )
    roundIn(decision.delayMs)
  }

  function setStreaming(value: boolean): void {
    if (streaming === value) return
    streaming = value
    emit()
  }

  /** Keep one stream open while it makes sense. */
  function ensureStream(): void {
    if (!useStream || stream || !gen || retry.stopped || !online || !visible || !started) return
    stream = superviseStream({
      api: gen.api,
      timers,
      retry: createRetryPolicy({ random }),
      idleTimeoutMs: options.streamIdleTimeoutMs,
      async cursor() {
        const { lastSeq, lastId } = await readSetting(db, 'cursor')
        return { after: lastSeq, afterId: lastSeq > 0 ? lastId : undefined }
      },
      async store(batch) {
        const { fresh } = await storeServerEvents(db, batch.events, batch.lastSeq, { now })
        for (const e of fresh) scopeRefresh.touched.add(e.incidentId)
        if (fresh.length) void scopeRefresh.flight.run().catch(() => {})
        lastSyncAt = new Date(now()).toISOString()
        emit()
      },
      onNotice(name) {
        if (name === 'runbooks' && gen) runbooksChanged(gen.settings)
      },
      onOpen() {
        setStreaming(true)
        // The server is back: send what queued up now rather than at the next retry.
        if (status.kind === 'error') void requestRound()
      },
      onClosed(failure) {
        setStreaming(false)
        if (failure?.failure.kind === 'auth' || failure?.failure.kind === 'wiped') void fail(failure)
        // The server does not know our cursor (a restored backup): a round's pull recovers.
        else if (isCursorUnknown(failure)) void requestRound()
        // Let the indicator find out the server is gone, instead of still saying "Synced".
        else if (failure && (status.kind === 'synced' || status.kind === 'read-only')) void requestRound()
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
    return {
      settings,
      controller,
      api: createSyncApi(settings, fetchFn, controller.signal, now),
      readOnly: false,
      clockChecked: false,
      unscoped: false,
    }
  }

  function install(settings: SyncSettings | null): void {
    gen = generation(settings)
    retry.clear()
    hold = null
    if (!gen) return setStatus({ kind: 'local-only' })
    setStatus(online ? { kind: 'syncing' } : { kind: 'offline' })
    void requestRound()
  }

  return {
    async start() {
      if (started) return
      started = true
      // Events an older version could not read may be readable now (an app update): into the log with them.
      await revalidateUnreadable(db, validateEvent).catch(() => 0)
      const [saved, cursor] = await Promise.all([readSetting(db, 'sync'), readSetting(db, 'cursor')])
      lastSyncAt = cursor.lastSyncAt
      install(saved?.token ? saved : null)
    },
    stop() {
      started = false
      nextRound.clear()
      debounce.clear()
      gen?.controller.abort()
      void stopStream()
    },
    nudge() {
      debounce.set(() => void requestRound(), debounceMs)
    },
    async syncNow() {
      debounce.clear()
      manual = true
      retry.restart()
      await requestRound()
      return status
    },
    async configure(next) {
      const serverChanged = (gen?.settings.serverUrl ?? null) !== (next?.serverUrl ?? null)
      configuring++
      try {
        nextRound.clear()
        gen?.controller.abort()
        // Wait for the old round and stream to let go, so nothing they fetched lands after the reset.
        // Eviction too: it must not make incidents remote once the server they were acknowledged by is replaced.
        await Promise.all([rounds.idle(), stopStream(), scopeReconcile.idle()])
        await db.transaction('rw', db.kv, async () => {
          await writeSetting(db, 'sync', next)
          // The wait was the old settings' answer: the new server or token is asked afresh.
          await writeSetting(db, 'pushHold', null)
          if (serverChanged) {
            await writeSetting(db, 'cursor', { lastSeq: 0, lastSyncAt: null })
            // The new server is joined by its own summaries.
            await writeSetting(db, 'scope', null)
          }
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
        if (gen && !retry.stopped) setStatus({ kind: 'offline' })
        return
      }
      retry.restart()
      void requestRound()
    },
    setVisible(value) {
      if (visible === value) return
      visible = value
      if (!value) void stopStream()
      else void requestRound()
    },
    snapshot,
    async idle() {
      // A round starts a proposal send, and a send never starts a round: rounds first.
      await rounds.idle()
      await proposalSend.idle()
      await scopeReconcile.idle()
    },
  }
}
