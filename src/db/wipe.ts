/**
 * Wiping a lost phone: the team's admin revoked its token with a wipe, and the
 * server answered `401 wiped`. Everything Command Post keeps on the phone goes:
 * incident events (sent or not: the admin chose to lose them rather than leave
 * them on a lost phone), the cursor, the sync settings and profile (IndexedDB),
 * drafts and preferences (localStorage keys `command-post:…`). One mark is left
 * so the next screen can say what happened.
 */
import type { CommandPostDatabase } from './database'

const PREFIX = 'command-post:'
/** The part of `Storage` used here: the service worker's types have no localStorage. */
export interface KeyStore {
  readonly length: number
  key(index: number): string | null
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

const pageStorage = (): KeyStore | undefined => (globalThis as { localStorage?: KeyStore }).localStorage

/** localStorage key holding when this phone was wiped (ISO time). */
export const WIPED_KEY = `${PREFIX}wiped`

/** Delete this phone's Command Post data; resolves once IndexedDB committed the deletion. */
export async function wipePhone(
  db: CommandPostDatabase,
  storage: KeyStore | undefined = pageStorage(),
  now: () => number = Date.now,
): Promise<void> {
  await db.transaction('rw', db.events, db.kv, async () => {
    await db.events.clear()
    await db.kv.clear()
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

/** When this phone was wiped by its admin, or null. */
export function wipedAt(storage: KeyStore | undefined = pageStorage()): string | null {
  return storage?.getItem(WIPED_KEY) ?? null
}

/** Forget that this phone was wiped (the person read the notice, or joined a server again). */
export function forgetWipe(storage: KeyStore | undefined = pageStorage()): void {
  storage?.removeItem(WIPED_KEY)
}
