/**
 * When the server's history is replaced (a backup restored), seq numbers are
 * handed out again and acknowledgements of the old history mean nothing. The
 * phone notices (the page's serverId changed, or the server answered 409
 * cursor_unknown to its cursor), then:
 *   1. begin: every acknowledged event becomes `unconfirmed` and the cursor goes to 0;
 *   2. pulls everything: what the server holds is acknowledged again (storeRemoteEvents);
 *   3. finish: what is still unconfirmed goes back to the outbox, as it was, to be pushed again.
 * Each step is one IndexedDB transaction and the cursor says `recovering`, so a
 * phone closed half-way picks up where it was; nothing is dropped at any point.
 */
import type { CommandPostDatabase, StoredEvent } from '../db/database'
import { SyncState } from '../db/database'
import { readSetting, writeSetting } from '../db/settings'

/** Step 1. `serverId`: the new identity when known (null after a 409: the next page tells it). */
export async function beginRecovery(db: CommandPostDatabase, serverId: string | null): Promise<void> {
  await db.transaction('rw', db.events, db.kv, async () => {
    const cursor = await readSetting(db, 'cursor')
    await db.events.where('sync').equals(SyncState.acknowledged).modify({ sync: SyncState.unconfirmed })
    await writeSetting(db, 'cursor', {
      lastSeq: 0,
      lastSyncAt: cursor.lastSyncAt,
      ...(serverId ? { serverId } : {}),
      recovering: true,
    })
  })
}

/**
 * Step 3, once the pull reached the server's end: events the server did not
 * send back go to the outbox in their local order, same content and stamp,
 * marked `requeued` (never re-stamped); their old seq is dropped, it belonged
 * to the lost history. Returns how many were requeued.
 */
export async function finishRecovery(db: CommandPostDatabase): Promise<number> {
  return db.transaction('rw', db.events, db.kv, async () => {
    const requeued = await db.events
      .where('sync')
      .equals(SyncState.unconfirmed)
      .modify((row: StoredEvent) => {
        row.sync = SyncState.pending
        row.requeued = true
        delete row.seq
        delete row.event.seq
      })
    const cursor = await readSetting(db, 'cursor')
    const { recovering: _done, ...rest } = cursor
    await writeSetting(db, 'cursor', rest)
    return requeued
  })
}
