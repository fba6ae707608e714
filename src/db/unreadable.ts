/**
 * Server events this app version cannot validate, kept as they came. The pull
 * cursor moves past them like any other event, so nothing is fetched twice;
 * once an updated app can read them they move into `events` (revalidate).
 */
import type { IncidentEvent, Validation } from '../domain/events'
import type { CommandPostDatabase, UnreadableEvent } from './database'
import { storeRemoteEvents } from './events'

/** A validator: the app's `validateEvent`, or in tests an older version's. */
export type Validate = (input: unknown) => Validation<IncidentEvent>

/** What this version could not read of one server message. */
export interface Unreadable {
  raw: unknown
  reason: string
}

function field(raw: unknown, name: string): unknown {
  return raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[name] : undefined
}

/** The row for an unreadable message: keyed by its id when it has one, so a second copy is stored once. */
export function unreadableRow(item: Unreadable, storedAt: string): UnreadableEvent {
  const id = field(item.raw, 'id')
  const seqField = field(item.raw, 'seq')
  const seq = typeof seqField === 'number' && Number.isSafeInteger(seqField) ? seqField : 0
  const incidentId = field(item.raw, 'incidentId')
  return {
    key: typeof id === 'string' && id ? id : `seq:${seq}`,
    ...(typeof incidentId === 'string' && incidentId ? { incidentId } : {}),
    seq,
    raw: item.raw,
    reason: item.reason,
    storedAt,
  }
}

/**
 * Keep unreadable messages (call inside the transaction that stores their page,
 * with the `unreadable` table in it). A message already kept is replaced by the newer copy.
 */
export async function storeUnreadable(
  db: CommandPostDatabase,
  items: readonly Unreadable[],
  storedAt: string,
): Promise<void> {
  if (items.length) await db.unreadable.bulkPut(items.map((item) => unreadableRow(item, storedAt)))
}

/** How many server events this version cannot show. */
export function unreadableCount(db: CommandPostDatabase): Promise<number> {
  return db.unreadable.count()
}

/** Every kept unreadable event (a handful at most, so no paging). */
export function unreadableEvents(db: CommandPostDatabase): Promise<UnreadableEvent[]> {
  return db.unreadable.toArray()
}

/**
 * Validate every kept event again (an app update may read them now) and move
 * the valid ones into `events` in one transaction: a crash leaves each either
 * here or there, never in both or neither. Returns how many moved.
 */
export async function revalidateUnreadable(db: CommandPostDatabase, validate: Validate): Promise<number> {
  return db.transaction('rw', db.events, db.kv, db.unreadable, async () => {
    const rows = await db.unreadable.toArray()
    const readable: IncidentEvent[] = []
    const keys: string[] = []
    for (const row of rows) {
      const checked = validate(row.raw)
      if (!checked.ok) continue
      readable.push(checked.value)
      keys.push(row.key)
    }
    if (!keys.length) return 0
    // Server order: the declaration rule and readers see them as if they had arrived with their page.
    readable.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
    await storeRemoteEvents(db, readable)
    await db.unreadable.bulkDelete(keys)
    return keys.length
  })
}
