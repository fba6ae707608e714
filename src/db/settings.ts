/**
 * The responder's profile and the app's settings, one key-value row each.
 */
import { newId } from '../domain/ids'
import type { PushTopic } from '../domain/push'
import { DEFAULT_HOLD_RESOLVED_DAYS } from '../domain/scope-window'
import type { CommandPostDatabase } from './database'

export interface Profile {
  /** The name other responders see on this phone's events. */
  name: string
  /** This phone's id: the actor id and the clock's node. */
  deviceId: string
}

export interface SyncSettings {
  /** '' means the app's own origin. */
  serverUrl: string
  token: string
}

export interface SyncCursor {
  lastSeq: number
  lastSyncAt: string | null
  /** The id of the event at `lastSeq`, sent as `afterId` so a server with another history says so (409). */
  lastId?: string
  /** The identity of the server's database this cursor points into (absent: not known yet). */
  serverId?: string
  /** A recovery after a server restore is under way (src/sync/recovery.ts). */
  recovering?: true
}

/**
 * The server asked this phone not to push before `until` (its Retry-After on
 * a 429, 503 or 507). Kept in IndexedDB so the page's sync engine and the
 * service worker's Background Sync both wait for it, whichever was told.
 * Cleared by the next push that gets through and when the server settings change.
 */
export interface PushHold {
  /** Milliseconds since the epoch, on this phone's own clock (not corrected): the earliest next push. */
  until: number
  /** What the server said: its rate limit, its daily quota, its storage, or another failure (a 503). */
  kind: 'rate-limited' | 'quota' | 'server-storage' | 'server'
}

/** What this phone asked the server to push to it (Settings → Notifications); null: push is off here. */
export interface PushChoices {
  topics: PushTopic[]
}

/**
 * What this phone last read of the server's runbook catalogue (src/sync/runbook-catalogue.ts):
 * the published version of each runbook, and the ETag to send next time.
 */
export interface RunbookCatalogueState {
  /** The server it came from ('' = the app's own origin): another server's tag is not sent. */
  serverUrl: string
  etag: string | null
  /** Runbook id → its published version, for every runbook whose version is stored in `runbookVersions`. */
  published: Record<string, number>
  /** When it was last checked (ISO 8601). */
  checkedAt: string
}

/**
 * Scoped sync (src/db/scope.ts): this phone joined its server by summaries. `upTo`: every remote
 * overview reflects the server's log up to this seq (the next `GET /api/summaries?after=`).
 * null: not joined that way (an older server, or a phone that pulled everything).
 */
export interface ScopeState {
  upTo: number
}

/** Resolved incidents a phone holds in full: those with activity in this many days (Settings, src/domain/scope-window.ts). */
export { DEFAULT_HOLD_RESOLVED_DAYS }

/**
 * The last time the sync engine brought what is held in line with the window
 * (src/sync/evict.ts): `at`, ms on this phone's clock; `days`, the window it used.
 * It runs again a day later, or as soon as the window is not `days` any more.
 */
export interface ScopeReconciled {
  at: number
  days: number
}

const defaults = {
  profile: null as Profile | null,
  sync: null as SyncSettings | null,
  cursor: { lastSeq: 0, lastSyncAt: null } as SyncCursor,
  favouriteRunbooks: [] as string[],
  storagePersistAsked: false,
  pushHold: null as PushHold | null,
  pushChoices: null as PushChoices | null,
  runbookCatalogue: null as RunbookCatalogueState | null,
  scope: null as ScopeState | null,
  holdResolvedDays: DEFAULT_HOLD_RESOLVED_DAYS as number,
  scopeReconciled: null as ScopeReconciled | null,
}
export type SettingKey = keyof typeof defaults
export type SettingValue<K extends SettingKey> = (typeof defaults)[K]

export async function readSetting<K extends SettingKey>(db: CommandPostDatabase, key: K): Promise<SettingValue<K>> {
  const row = await db.kv.get(`setting:${key}`)
  return (row ? row.value : defaults[key]) as SettingValue<K>
}

export async function writeSetting<K extends SettingKey>(
  db: CommandPostDatabase,
  key: K,
  value: SettingValue<K>,
): Promise<void> {
  await db.kv.put({ key: `setting:${key}`, value: JSON.parse(JSON.stringify(value)) })
}

/** The profile, creating this phone's device id on first run (name still empty). */
export async function loadProfile(db: CommandPostDatabase): Promise<Profile> {
  return db.transaction('rw', db.kv, async () => {
    const existing = await readSetting(db, 'profile')
    if (existing) return existing
    const created: Profile = { name: '', deviceId: newId() }
    await writeSetting(db, 'profile', created)
    return created
  })
}
