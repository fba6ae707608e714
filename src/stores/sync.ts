import { defineStore, acceptHMRUpdate } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import type { Validation } from '../domain/events'
import { localData } from '../db/load'
import { forgetWipe, wipedAt as readWipedAt } from '../db/wipe-mark'
import type { SyncSettings } from '../db/settings'
import type { FetchLike } from '../sync/api'
import type { SyncEngine, SyncSnapshot } from '../sync/engine'
import type { SyncStatus } from '../sync/status'
import { describeSyncStatus } from '../sync/status'
import { useIncidentsStore } from './incidents'
import { useProfileStore } from './profile'

/** Options of `start()`, for tests. */
export interface StartOptions {
  fetch?: FetchLike
  reload?: () => void
}

const inBrowser = typeof window !== 'undefined'
const appOrigin = () => (inBrowser ? window.location.origin : '')

// The engine loads on first use, after the first screen is up (main.ts): the
// incidents list must not wait for code that only talks to a server.
// Join links are read only when someone joins: their parsing stays off the first screen.
const loadJoinLinks = () => import('../sync/join-link')
const loadEngine = () => Promise.all([import('../sync/engine'), import('../sync/browser'), import('../sync/leader')])

/**
 * Sync state for the indicator, Settings and the join screen, and the
 * commands that change it. The engine (src/sync) does the work; this store
 * mirrors its snapshot into refs and wires it to the browser.
 */
export const useSyncStore = defineStore('sync', () => {
  const status = shallowRef<SyncStatus>({ kind: 'local-only' })
  const pending = ref(0)
  const lastSyncAt = ref<string | null>(null)
  /** This tab runs the engine ('leader'), follows the one that does, or syncs alone ('alone': no Web Locks, or a test). */
  const role = ref<'leader' | 'follower' | 'alone'>('alone')
  /** '' = the app's own origin. Meaningful only when `joined`. */
  const serverUrl = ref('')
  const token = ref('')
  const streaming = ref(false)
  const joined = computed(() => token.value !== '')
  /** Resolved incidents with activity in this many days are held in full (scoped sync); null until loadHoldResolvedDays. */
  const holdResolvedDays = ref<number | null>(null)
  /**
   * When the team's admin wiped this phone (ISO time), read once at start: the wipe
   * reloads the page, and the page after it shows the notice until it is dismissed.
   */
  const wipedAt = ref<string | null>(inBrowser ? readWipedAt() : null)

  let engine: SyncEngine | null = null
  let starting: Promise<void> | null = null
  /** Bumped by stop(), so a start still loading its modules does not come back to life. */
  let generation = 0
  let requestBackgroundPush: typeof import('../sync/browser').requestBackgroundPush | null = null
  /** What happens once this phone's data was wiped (every tab learns it through its snapshot). */
  let afterWipe: (() => void) | null = null
  const cleanups: (() => void)[] = []

  function mirror(snapshot: SyncSnapshot): void {
    // Bench and browser-test hook: this tab's own engine has its stream open.
    if (snapshot.streaming && !streaming.value && role.value !== 'follower') performance.mark('sync-stream-open')
    const newlyWiped = snapshot.status.kind === 'wiped' && status.value.kind !== 'wiped'
    status.value = snapshot.status
    // The engine says so only once the data is deleted: start over on a clean screen.
    if (newlyWiped) afterWipe?.()
    lastSyncAt.value = snapshot.lastSyncAt
    serverUrl.value = snapshot.settings?.serverUrl ?? ''
    token.value = snapshot.settings?.token ?? ''
    streaming.value = snapshot.streaming
  }

  /** After a local write: sync soon, and let the service worker do it if this page goes away offline. */
  function localWrite(): void {
    engine?.nudge()
    const offline =
      status.value.kind === 'offline' || (status.value.kind === 'error' && status.value.problem === 'unreachable')
    if (inBrowser && joined.value && offline && requestBackgroundPush)
      void requestBackgroundPush(navigator.serviceWorker)
  }

  /**
   * Start syncing with the saved settings (Local only without them). For tests: `fetch`,
   * and `reload`, what a wiped phone does once its data is deleted (in a browser: load
   * the start page afresh).
   */
  function start(options: StartOptions = {}): Promise<void> {
    starting ??= boot(options)
    return starting
  }

  async function boot(options: StartOptions): Promise<void> {
    const born = generation
    const [[{ createSyncEngine }, browser, leader], { database, liveQuery, pendingCount }] = await Promise.all([
      loadEngine(),
      localData(),
    ])
    if (born !== generation) return
    requestBackgroundPush = browser.requestBackgroundPush
    afterWipe =
      options.reload ?? (inBrowser ? () => browser.reloadAfterWipe(window.location, import.meta.env.BASE_URL) : null)
    const db = database()
    const makeEngine = (onChange: (snapshot: SyncSnapshot) => void) =>
      createSyncEngine({
        db,
        fetch: options.fetch,
        online: inBrowser ? navigator.onLine : true,
        visible: inBrowser ? document.visibilityState !== 'hidden' : true,
        onChange,
      })
    // One engine per browser profile: the tabs elect a leader (src/sync/leader.ts). Without
    // Web Locks every tab syncs alone, as before.
    const election = inBrowser ? browser.leaderElectionSupport(globalThis) : null
    let created: SyncEngine
    if (election) {
      const channel = election.openChannel(leader.LEADER_CHANNEL)
      const shared = leader.createLeaderSync({
        db,
        locks: election.locks,
        channel,
        makeEngine,
        onChange: mirror,
        onRole(next) {
          role.value = next
          // Bench and browser-test hook: when this tab took the lead.
          if (next === 'leader') performance.mark('sync-leader')
        },
      })
      role.value = 'follower'
      cleanups.push(browser.watchLifecycle(shared, document), () => channel.close())
      created = shared
    } else created = makeEngine(mirror)
    engine = created
    if (inBrowser) cleanups.push(browser.watchBrowser(created, window))
    const subscription = liveQuery(() => pendingCount(db)).subscribe({
      next: (n) => {
        const grew = n > pending.value
        pending.value = n
        if (grew) localWrite()
      },
    })
    cleanups.push(() => subscription.unsubscribe())
    await created.start()
    mirror(created.snapshot())
  }

  function stop(): void {
    generation++
    starting = null
    engine?.stop()
    engine = null
    for (const cleanup of cleanups.splice(0)) cleanup()
  }

  /** Something besides events waits to be sent (a runbook proposal): a round soon, run by the leader tab. */
  function sendSoon(): void {
    engine?.nudge()
  }

  async function syncNow(): Promise<SyncStatus> {
    return engine ? engine.syncNow() : status.value
  }

  async function configure(settings: SyncSettings | null): Promise<void> {
    // A join link is handled by the router's first navigation, which can come before main.ts starts us.
    await start()
    const current = engine
    if (!current) return
    await current.configure(settings)
    mirror(current.snapshot())
  }

  /** Settings form: '' for this app's own server. Returns the reason when not saved. */
  async function join(url: string, accessToken: string): Promise<Validation<SyncSettings>> {
    const { normalizeServerUrl } = await loadJoinLinks()
    const server = normalizeServerUrl(url, appOrigin())
    if (!server.ok) return server
    const trimmed = accessToken.trim()
    if (!trimmed) return { ok: false, reason: 'Paste the access token from your join link.' }
    if (/\s/.test(trimmed)) return { ok: false, reason: 'An access token has no spaces in it; paste it again.' }
    const settings = { serverUrl: server.value, token: trimmed }
    await configure(settings)
    return { ok: true, value: settings }
  }

  /** A pasted or scanned join link. */
  async function joinWithLink(link: string): Promise<Validation<SyncSettings>> {
    const { parseJoinLink } = await loadJoinLinks()
    const parsed = parseJoinLink(link, appOrigin())
    if (!parsed.ok) return parsed
    useProfileStore().suggestName(parsed.value.name ?? null)
    return join(parsed.value.serverUrl, parsed.value.token)
  }

  /** A join link opened on this app (`#/join?token=…`): the server is this app's own origin. */
  async function joinFromFragment(hash: string): Promise<Validation<SyncSettings>> {
    const { nameFromFragment, tokenFromFragment } = await loadJoinLinks()
    const found = tokenFromFragment(hash)
    if (!found) return { ok: false, reason: 'That join link has no access token in it. Ask for a new one.' }
    // The link names the person its token was issued for: the welcome screen offers that name.
    useProfileStore().suggestName(nameFromFragment(hash))
    return join('', found)
  }

  /** The person read the wipe notice: it is not shown again. */
  function dismissWiped(): void {
    forgetWipe()
    wipedAt.value = null
  }

  /** Read the window of resolved incidents held in full into `holdResolvedDays`; resolves with it. */
  async function loadHoldResolvedDays(): Promise<number> {
    const { database, readSetting } = await localData()
    holdResolvedDays.value = await readSetting(database(), 'holdResolvedDays')
    return holdResolvedDays.value
  }

  /**
   * Settings: keep resolved incidents with activity in this many days in full
   * (a whole number, 1–3650; the reason names the field, and nothing changes,
   * when it is not). Resolves once saved. The sync engine's leader evicts or
   * fetches to match at its next round (src/sync/evict.ts), nudged to come soon.
   */
  async function setHoldResolvedDays(input: number | string): Promise<Validation<number>> {
    // The rule loads with Settings, not with the first screen, which this store is part of.
    const [{ checkHoldResolvedDays }, { database, writeSetting }] = await Promise.all([
      import('../domain/scope-window'),
      localData(),
    ])
    const checked = checkHoldResolvedDays(input)
    if (!checked.ok) return checked
    await writeSetting(database(), 'holdResolvedDays', checked.value)
    holdResolvedDays.value = checked.value
    engine?.nudge()
    return checked
  }

  /** Back to Local only. Everything stays on this phone; unsent events wait for the next server. */
  async function leave(): Promise<void> {
    await configure(null)
  }

  const rejectedCount = computed(() => useIncidentsStore().rejected.size)
  /** The last local write failed for want of space (src/db/storage-full.ts). */
  const storageFull = computed(() => useIncidentsStore().storageFull)
  const label = computed(() => describeSyncStatus(status.value, pending.value, rejectedCount.value, storageFull.value))
  /**
   * The long explanation when sync is failing, for Settings and the join screen ('' otherwise).
   * Its wording loads with the first problem, so it is set a moment after the status.
   */
  const problem = ref('')
  watch(
    status,
    (now) => {
      if (now.kind !== 'error' && now.kind !== 'read-only' && now.kind !== 'wiped') {
        problem.value = ''
        return
      }
      void import('../sync/status-messages').then(({ syncProblemMessage }) => {
        // A newer status may have come while the wording loaded: that one decides.
        if (status.value === now) problem.value = syncProblemMessage(now)
      })
    },
    { immediate: true },
  )
  /** The server as people should read it. */
  const serverName = computed(() => serverUrl.value || appOrigin() || 'this app’s server')

  return {
    status,
    pending,
    lastSyncAt,
    serverUrl,
    token,
    streaming,
    role,
    joined,
    holdResolvedDays,
    wipedAt,
    rejectedCount,
    storageFull,
    label,
    problem,
    serverName,
    start,
    stop,
    sendSoon,
    syncNow,
    loadHoldResolvedDays,
    setHoldResolvedDays,
    join,
    joinWithLink,
    joinFromFragment,
    leave,
    dismissWiped,
  }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useSyncStore, import.meta.hot))
