/**
 * Wiping a lost phone: the team's admin revoked its token with a wipe, and the
 * server answered `401 wiped`. Everything Command Post keeps on the phone goes:
 * incident events and their summaries (sent or not: the admin chose to lose them rather than leave
 * them on a lost phone), the cursor, the sync settings and profile (IndexedDB),
 * drafts and preferences (localStorage keys `command-post:…`). One mark is left
 * so the next screen can say what happened.
 */
import type { CommandPostDatabase } from './database'
import { PREFIX, WIPED_KEY, pageStorage, type KeyStore } from './wipe-mark'

export { WIPED_KEY, forgetWipe, wipedAt, type KeyStore } from './wipe-mark'

/** Delete this phone's Command Post data; resolves once IndexedDB committed the deletion. */
export async function wipePhone(
  db: CommandPostDatabase,
  storage: KeyStore | undefined = pageStorage(),
  now: () => number = Date.now,
): Promise<void> {
  await db.transaction('rw', [db.events, db.kv, db.runbookVersions, db.summaries], async () => {
    await db.events.clear()
    await db.kv.clear()
    // The team's runbooks synced from the server go too; the build's own stay in the app.
    await db.runbookVersions.clear()
    await db.summaries.clear()
  })
  if (!storage) return
  const keys: string[] = []
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i)
    if (key?.startsWith(PREFIX)) keys.push(key)
  }
  for (const key of keys) storage.removeItem(key)
  storage.setItem(WIPED_KEY, new Date(now()).toISOString())
}
