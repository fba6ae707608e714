/**
 * The stores reach the phone's database through `localData()`, so its code
 * (Dexie and the schema, about 30 kB gzip, a third of the app's first load)
 * is fetched on first use instead of with the first screen: a responder
 * opening the app for the first time, on one bar, sees the welcome screen
 * without waiting for it.
 */
import { DATABASE_NAME } from './name'

export type LocalData = typeof import('./local')

let loading: Promise<LocalData> | null = null

export function localData(): Promise<LocalData> {
  loading ??= import('./local')
  return loading
}

/**
 * Whether this phone has stored anything yet. False only when the browser can
 * say for sure that the database does not exist (a first visit, or after
 * "clear site data"); true when it cannot tell, so the caller looks.
 * Loads no database code and creates nothing.
 */
export async function hasLocalData(idb: IDBFactory | undefined = globalThis.indexedDB): Promise<boolean> {
  if (typeof idb?.databases !== 'function') return true
  try {
    return (await idb.databases()).some((d) => d.name === DATABASE_NAME)
  } catch {
    return true
  }
}
