/**
 * The phone's database: the one place the IndexedDB schema is written down.
 * Every version stays, with its upgrade, so a phone that skipped releases
 * still opens its data.
 */
import Dexie, { type Table } from 'dexie'
import type { IncidentEvent } from '../domain/events'
import { DATABASE_NAME } from './name'

/** Where an event stands with the server. */
export const SyncState = { pending: 0, acknowledged: 1, rejected: 2 } as const
export type SyncStateValue = (typeof SyncState)[keyof typeof SyncState]

export interface StoredEvent {
  id: string
  incidentId: string
  hlc: string
  /** Local arrival order: readers catch up with `lseq > cursor`. */
  lseq: number
  sync: SyncStateValue
  /** The server's reason, when it refused the event. */
  rejectedReason?: string
  event: IncidentEvent
}

export interface KeyValue {
  key: string
  value: unknown
}

export class CommandPostDatabase extends Dexie {
  events!: Table<StoredEvent, string>
  kv!: Table<KeyValue, string>

  constructor(name = DATABASE_NAME) {
    super(name)
    this.version(1).stores({
      events: 'id, [incidentId+hlc], lseq, sync',
      kv: 'key',
    })
    // The outbox in local order: the pusher reads the oldest pending events first and stops at its page size.
    // IndexedDB fills a new index from the rows already stored, so no upgrade() is needed.
    this.version(2).stores({
      events: 'id, [incidentId+hlc], lseq, sync, [sync+lseq]',
    })
  }
}

let shared: CommandPostDatabase | null = null

/** The app's database; tests and the benchmark may open others by name. */
export function database(): CommandPostDatabase {
  shared ??= new CommandPostDatabase()
  return shared
}

/** For tests: make `db` the app's database, the one `database()` returns from now on (no migration, no close). */
export function replaceDatabase(db: CommandPostDatabase): void {
  shared = db
}

/**
 * Calls `listener` when another tab opens a newer version of this database
 * (an app update with a new schema) or deletes it. This connection is closed
 * first, for good (no automatic reopening, which would fail or block the
 * other tab): the newer version opens at once. Writes in this tab fail from
 * then on, so the tab must reload; drafts are in localStorage, not here.
 * Returns the function that stops listening.
 */
export function onNewerVersion(db: CommandPostDatabase, listener: () => void): () => void {
  const handler = () => {
    db.close({ disableAutoOpen: true })
    listener()
    // Dexie runs the latest subscriber first; false stops its default one, which would allow a quiet reopening.
    return false
  }
  db.on('versionchange', handler)
  return () => db.on('versionchange').unsubscribe(handler)
}
