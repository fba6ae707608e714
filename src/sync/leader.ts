/**
 * One sync engine per browser profile. Every open tab of the app used to run
 * its own engine, each holding an event stream: over HTTP/1.1 six windows
 * used up the browser's six connections per host and the seventh window's
 * push never left. Now the tabs elect a leader with the Web Locks API; only
 * the leader's engine pushes, pulls and streams. The other tabs (followers)
 * ask it to sync over a BroadcastChannel and read new events from IndexedDB
 * as before; the leader broadcasts its status so every indicator agrees.
 *
 * The lock is held for the leader's life: when its tab closes the browser
 * hands the lock to the next tab in the queue. A tab being frozen (page
 * lifecycle `freeze`) lets go of the lock, or leaves the queue, so a frozen
 * tab never holds up sync; on `resume` it queues again.
 *
 * Framework-free, with the lock manager, the channel and the engine injected,
 * so it runs in tests without a browser.
 */
import type { CommandPostDatabase } from '../db/database'
import { readSetting, writeSetting, type SyncSettings } from '../db/settings'
import type { SyncEngine, SyncSnapshot } from './engine'
import type { SyncStatus } from './status'
import { systemTimers, type Timers } from './timers'

/** The Web Lock every tab of this origin queues for. */
export const LEADER_LOCK = 'command-post:sync-leader'
/** The BroadcastChannel the tabs talk on. */
export const LEADER_CHANNEL = 'command-post:sync'

/** The part of `navigator.locks` used here. */
export interface LockManagerLike {
  request(name: string, options: { signal?: AbortSignal }, callback: (lock: unknown) => Promise<void>): Promise<void>
}

/** The part of a `BroadcastChannel` used here: delivers to every other tab's channel of the same name. */
export interface ChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  close(): void
}

/** What the tabs say to each other. `tab` is the sender's id where the answer or state is per tab. */
export type LeaderMessage =
  /** A follower wrote something: sync soon. */
  | { type: 'nudge' }
  /** A follower's "Sync now": the leader answers with `synced-now` and the outcome. */
  | { type: 'sync-now'; id: string }
  | { type: 'synced-now'; id: string; status: SyncStatus }
  /** The leader's engine changed state. */
  | { type: 'snapshot'; snapshot: SyncSnapshot }
  /** A tab (a new follower, or a new leader) wants the leader's snapshot and every tab's visibility. */
  | { type: 'hello' }
  /** A follower saved new server settings to the database: the leader reloads them. */
  | { type: 'settings' }
  /** A follower is shown or hidden: the leader streams while any tab is shown. */
  | { type: 'visible'; tab: string; visible: boolean }

export type LeaderRole = 'leader' | 'follower'

export interface LeaderSyncOptions {
  db: CommandPostDatabase
  locks: LockManagerLike
  channel: ChannelLike
  /** Creates this tab's engine, started only while this tab leads; `onChange` gets every snapshot it emits. */
  makeEngine(onChange: (snapshot: SyncSnapshot) => void): SyncEngine
  /** Bounds a follower's wait for the leader's "Sync now" answer (default 30 s). */
  syncNowTimeoutMs?: number
  timers?: Timers
  /** This tab's id on the channel (tests); random otherwise. */
  tabId?: string
  onChange?(snapshot: SyncSnapshot): void
  /** This tab became leader or follower. */
  onRole?(role: LeaderRole): void
}

/** A SyncEngine that runs the real one only while this tab leads, plus the page lifecycle hooks. */
export interface LeaderSync extends SyncEngine {
  readonly role: LeaderRole
  /** Page lifecycle `freeze`: let go of the lock (or leave the queue) so another tab leads. */
  freeze(): void
  /** Page lifecycle `resume`: queue for the lock again. */
  resume(): void
}

function isMessage(data: unknown): data is LeaderMessage {
  return typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string'
}

const randomId = () => Math.random().toString(36).slice(2, 12)

/**
 * Save sync settings the way the engine's `configure` does, from a tab whose
 * engine is not running: a different server starts from cursor 0.
 */
export async function saveSyncSettings(db: CommandPostDatabase, next: SyncSettings | null): Promise<void> {
  await db.transaction('rw', db.kv, async () => {
    const saved = await readSetting(db, 'sync')
    await writeSetting(db, 'sync', next)
    if ((saved?.serverUrl ?? null) !== (next?.serverUrl ?? null))
      await writeSetting(db, 'cursor', { lastSeq: 0, lastSyncAt: null })
  })
}

/**
 * Join the election. Until this tab holds the lock it follows: its snapshot
 * is the leader's, read from the channel, with the settings read from the
 * database so "Local only" and the server show at once.
 */
export function createLeaderSync(options: LeaderSyncOptions): LeaderSync {
  const { db, locks, channel } = options
  const timers = options.timers ?? systemTimers
  const tab = options.tabId ?? randomId()
  const syncNowTimeoutMs = options.syncNowTimeoutMs ?? 30_000

  let role: LeaderRole = 'follower'
  let started = false
  let frozen = false
  let visible = true
  /** Followers that said they are shown: the leader streams while any tab is. */
  const shownFollowers = new Set<string>()
  /** Leaves the queue, or gives the lock back once held. */
  let withdraw: (() => void) | null = null
  const answers = new Map<string, (status: SyncStatus) => void>()
  let current: SyncSnapshot = { status: { kind: 'local-only' }, settings: null, lastSyncAt: null, streaming: false }

  function post(message: LeaderMessage): void {
    try {
      channel.postMessage(message)
    } catch {
      // The channel closed with the page (InvalidStateError): there is no one left to tell.
    }
  }
  function show(snapshot: SyncSnapshot): void {
    current = snapshot
    options.onChange?.(snapshot)
  }

  const engine = options.makeEngine((snapshot) => {
    if (role !== 'leader') return
    show(snapshot)
    post({ type: 'snapshot', snapshot })
  })
  const applyVisibility = () => engine.setVisible(visible || shownFollowers.size > 0)

  function setRole(next: LeaderRole): void {
    if (role === next) return
    role = next
    options.onRole?.(next)
  }

  /** Queue for the lock; the callback runs once this tab leads, and holds the lock until `withdraw`. */
  function queue(): void {
    if (withdraw || frozen || !started) return
    const controller = new AbortController()
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let leading = false
    withdraw = () => {
      withdraw = null
      if (leading) release()
      else controller.abort()
      if (leading) stepDown()
    }
    locks
      .request(LEADER_LOCK, { signal: controller.signal }, async () => {
        if (controller.signal.aborted) return
        leading = true
        await lead()
        await held
      })
      // Aborted while queued (freeze, stop): nothing to do.
      .catch(() => {})
  }

  async function lead(): Promise<void> {
    setRole('leader')
    shownFollowers.clear()
    applyVisibility()
    // Followers answer with their visibility; the engine's snapshots reach them from now on.
    post({ type: 'hello' })
    await engine.start()
    if (role !== 'leader') return
    const snapshot = engine.snapshot()
    show(snapshot)
    post({ type: 'snapshot', snapshot })
  }

  function stepDown(): void {
    engine.stop()
    setRole('follower')
    // The engine stopped its stream: say so until the next leader speaks.
    show({ ...current, streaming: false })
  }

  async function onMessage(event: { data: unknown }): Promise<void> {
    const message = event.data
    if (!isMessage(message)) return
    if (role === 'leader') {
      switch (message.type) {
        case 'nudge':
          return engine.nudge()
        case 'sync-now': {
          const status = await engine.syncNow()
          return post({ type: 'synced-now', id: message.id, status })
        }
        case 'hello':
          return post({ type: 'snapshot', snapshot: engine.snapshot() })
        case 'settings':
          return engine.configure(await readSetting(db, 'sync'))
        case 'visible':
          if (message.visible) shownFollowers.add(message.tab)
          else shownFollowers.delete(message.tab)
          return applyVisibility()
        case 'snapshot':
        case 'synced-now':
          return // a leader's own kind of message, from a tab that was leader a moment ago
      }
    }
    switch (message.type) {
      case 'snapshot':
        return show(message.snapshot)
      case 'synced-now':
        answers.get(message.id)?.(message.status)
        return
      case 'hello':
        // A new leader asks who is shown.
        return post({ type: 'visible', tab, visible })
      case 'nudge':
      case 'settings':
      case 'sync-now':
      case 'visible':
        return // for the leader
    }
  }
  const listener = (event: { data: unknown }) => void onMessage(event)

  return {
    get role() {
      return role
    },
    async start() {
      if (started) return
      started = true
      channel.addEventListener('message', listener)
      const settings = await readSetting(db, 'sync')
      const cursor = await readSetting(db, 'cursor')
      // Until the leader answers: what the database says, and "Syncing" when there is a server.
      if (role === 'follower')
        show({
          status: settings?.token ? { kind: 'syncing' } : { kind: 'local-only' },
          settings: settings?.token ? settings : null,
          lastSyncAt: cursor.lastSyncAt,
          streaming: false,
        })
      post({ type: 'hello' })
      post({ type: 'visible', tab, visible })
      queue()
    },
    stop() {
      if (!started) return
      post({ type: 'visible', tab, visible: false })
      withdraw?.()
      engine.stop()
      started = false
      channel.removeEventListener('message', listener)
      for (const answer of answers.values()) answer(current.status)
    },
    nudge() {
      if (role === 'leader') engine.nudge()
      else post({ type: 'nudge' })
    },
    syncNow() {
      if (role === 'leader') return engine.syncNow()
      const id = `${tab}-${randomId()}`
      return new Promise<SyncStatus>((resolve) => {
        // No leader answers (it is closing, the next one is starting): the status as it stands.
        const timer = timers.setTimeout(() => done(current.status), syncNowTimeoutMs)
        function done(status: SyncStatus): void {
          timers.clearTimeout(timer)
          answers.delete(id)
          resolve(status)
        }
        answers.set(id, done)
        show({ ...current, status: { kind: 'syncing' } })
        post({ type: 'sync-now', id })
      })
    },
    async configure(settings) {
      if (role === 'leader') return engine.configure(settings)
      await saveSyncSettings(db, settings)
      show({
        ...current,
        settings,
        status: settings ? { kind: 'syncing' } : { kind: 'local-only' },
        streaming: false,
      })
      post({ type: 'settings' })
    },
    setOnline(online) {
      engine.setOnline(online)
      if (online && role === 'follower') post({ type: 'nudge' })
    },
    setVisible(value) {
      visible = value
      if (role === 'leader') applyVisibility()
      else post({ type: 'visible', tab, visible: value })
    },
    snapshot: () => current,
    idle: () => engine.idle(),
    freeze() {
      frozen = true
      post({ type: 'visible', tab, visible: false })
      withdraw?.()
    },
    resume() {
      frozen = false
      post({ type: 'visible', tab, visible })
      queue()
    },
  }
}
