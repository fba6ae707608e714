/**
 * Runbook versions synced from the server and compiled on this phone, and the
 * catalogue state naming which of them is published. Why IndexedDB rather than
 * Cache Storage: a compiled version is data the app queries (by id and
 * version, all published ones at start for the catalogue and the search
 * index), it must change atomically with the catalogue state (one
 * transaction: a phone never shows a published version it does not hold), and
 * it is not an HTTP answer: the server serves Markdown, the phone compiles it.
 */
import type { CommandPostDatabase, StoredRunbookVersion } from './database'
import { readSetting, writeSetting, type RunbookCatalogueState } from './settings'

export type { RunbookCatalogueState, StoredRunbookVersion }

/** The catalogue state, or null before the first successful refresh. */
export function readRunbookCatalogue(db: CommandPostDatabase): Promise<RunbookCatalogueState | null> {
  return readSetting(db, 'runbookCatalogue')
}

/** One stored version, or undefined when this phone does not hold it. */
export function readRunbookVersion(
  db: CommandPostDatabase,
  id: string,
  version: number,
): Promise<StoredRunbookVersion | undefined> {
  return db.runbookVersions.get([id, version])
}

/** The stored versions the catalogue state names as published (ids without a stored row are left out). */
export async function publishedRunbookVersions(db: CommandPostDatabase): Promise<StoredRunbookVersion[]> {
  return db.transaction('r', db.kv, db.runbookVersions, async () => {
    const state = await readSetting(db, 'runbookCatalogue')
    if (!state) return []
    const keys = Object.entries(state.published).map(([id, version]): [string, number] => [id, version])
    const rows = await db.runbookVersions.bulkGet(keys)
    return rows.filter((row): row is StoredRunbookVersion => row !== undefined)
  })
}

/**
 * Stores new versions and the catalogue state in one transaction: either both
 * are written or neither (a failed write leaves the previous catalogue as it
 * was). Older versions stay. Rejects when storage refuses the write.
 */
export async function saveRunbookCatalogue(
  db: CommandPostDatabase,
  state: RunbookCatalogueState,
  versions: readonly StoredRunbookVersion[],
): Promise<void> {
  await db.transaction('rw', db.kv, db.runbookVersions, async () => {
    if (versions.length) await db.runbookVersions.bulkPut([...versions])
    await writeSetting(db, 'runbookCatalogue', state)
  })
}

/** Keeps one version (fetched to resolve an older log entry) without touching the catalogue state. */
export async function saveRunbookVersion(db: CommandPostDatabase, version: StoredRunbookVersion): Promise<void> {
  await db.runbookVersions.put(version)
}
