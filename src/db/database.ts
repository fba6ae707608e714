/**
 * The phone's database: the one place the IndexedDB schema is written down.
 * Every version stays, with its upgrade, so a phone that skipped releases
 * still opens its data.
 */
import Dexie, { type Table } from 'dexie'
import type { IncidentEvent } from '../domain/events'
import type { IncidentOverview } from '../domain/summary'
import { summarizeStoredEvents } from './summaries-upgrade'
import { DATABASE_NAME } from './name'

/**
 * Where an event stands with the server. `unconfirmed`: acknowledged by a
 * history of the server that has since been replaced (a restored backup);
 * while the phone pulls everything again, what the server still holds turns
 * acknowledged and the rest goes back to pending (src/sync/recovery.ts).
 */
export const SyncState = { pending: 0, acknowledged: 1, rejected: 2, unconfirmed: 3 } as const
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
  /** The server's sequence number, once it has stored the event (also kept on `event.seq`). */
  seq?: number
  /**
   * Sent again after a server restore, as it was (same content and stamp): it was
   * acknowledged before, so it must never be re-stamped like a never-sent event.
   */
  requeued?: true
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

/**
 * A server event this app version cannot validate (a newer type or field),
 * kept as it came so an updated app can read it: never dropped, never fetched again.
 */
export interface UnreadableEvent {
  /** The event's id when it has a string one, else `seq:<seq>`: a copy from the stream and the pull is kept once. */
  key: string
  /** Its incident, when it names one: the timeline shows a placeholder there. */
  incidentId?: string
  /** The server's seq (0 when the message had none). */
  seq: number
  /** The event exactly as the server sent it (parsed JSON). */
  raw: unknown
  /** Why this version could not read it (the validator's message, naming the field). */
  reason: string
  /** When it was stored (ISO 8601). */
  storedAt: string
}

/**
 * One published runbook version fetched from the server and compiled on this
 * phone (src/sync/runbook-catalogue.ts). `page` is the compiled page as the
 * app shows it (src/runbooks/types.ts RunbookPage; typed `unknown` here because
 * this layer does not know the runbook pipeline: the store checks its shape
 * when reading). Versions are kept after a newer one is published, so a log
 * entry that names an older version still resolves to its step text offline.
 */
export interface StoredRunbookVersion {
  id: string
  /** The server's version number, 1 or more. */
  version: number
  page: unknown
  /** The plain text the search index holds for it (compile's `text`). */
  text: string
  /** When this phone stored it (ISO 8601). */
  storedAt: string
}

/**
 * One incident's folded overview, kept so the phone need not fold its events
 * at start (src/db/summaries.ts). Every incident id that has events has a row.
 */
export interface StoredSummary {
  /** The incident id (also `directory`, and ids whose declaration has not arrived). */
  id: string
  /** null: its events fold to no incident (no declaration yet, or the directory): they are always read at start. */
  overview: IncidentOverview | null
  /** The highest local order (`lseq`) of the events it was folded from: an older fold never replaces a newer one. */
  lseq: number
  /**
   * Scoped sync (src/db/scope.ts): the overview is the server's, and this phone does not hold the
   * incident's events (an archived incident, fetched when opened). `lastSeq`: the seq of the
   * incident's latest event that overview reflects. Absent: the phone folds it from its own events.
   */
  remote?: { lastSeq: number }
}

export interface KeyValue {
  key: string
  value: unknown
}

export class CommandPostDatabase extends Dexie {
  events!: Table<StoredEvent, string>
  kv!: Table<KeyValue, string>
  unreadable!: Table<UnreadableEvent, string>
  runbookVersions!: Table<StoredRunbookVersion, [string, number]>
  summaries!: Table<StoredSummary, string>

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
    // Server events this version cannot read, kept for the next one (src/db/unreadable.ts).
    // A new, empty table: nothing to upgrade. Events stored before keep no seq; new ones do.
    this.version(3).stores({
      unreadable: 'key, incidentId',
    })
    // Published runbook versions synced from the server, compiled on the phone (src/db/runbooks.ts).
    // A new, empty table: nothing to upgrade. Which version is published is a kv row (`runbookCatalogue`).
    this.version(4).stores({
      runbookVersions: '[id+version], id',
    })
    // Folded overviews, one per incident: start reads these, and folds only the active incidents' events.
    // Phones with events get them from one pass over the stored events, one incident at a time.
    this.version(5)
      .stores({ summaries: 'id' })
      .upgrade((tx) => summarizeStoredEvents(tx))
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
