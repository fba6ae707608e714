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
  /**
   * Set before the first push attempt: from then on the server may hold the
   * event (its answer can be lost), so it is never re-stamped unless the server
   * refuses it `clock_ahead`. Absent on events never sent.
   */
  sent?: true
  /**
   * The offset from the server's clock (server − phone, ms) this phone applied
   * when it stamped the event; null: it did not know it yet, and the event is
   * corrected by the offset before its first push. Absent on rows written
   * before this field existed: those may have been sent already, so they are
   * left as they are.
   */
  clockOffsetMs?: number | null
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
