/**
 * The stores reach the phone's database through `localData()`, so its code
 * (Dexie and the schema, about 30 kB gzip, a third of the app's first load)
 * is fetched on first use instead of with the first screen: a responder
 * opening the app for the first time, on one bar, sees the welcome screen
 * without waiting for it.
 */
import { DATABASE_NAME } from './name'

export type LocalData = typeof import('./local')

/** localStorage flag: this phone has used its database before. Only a hint, to skip asking the browser. */
const HINT_KEY = 'command-post:has-local-data'

/** The part of localStorage used here (this folder also compiles for the service worker, which has none). */
interface HintStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

function hintStorage(): HintStorage | null {
  try {
    return (globalThis as { localStorage?: HintStorage }).localStorage ?? null
  } catch {
    return null // storage blocked
  }
}

let loading: Promise<LocalData> | null = null
const waitingForLoad: ((local: LocalData) => void)[] = []

/**
 * Runs `use` once something else has loaded the database code (at once if it
 * has); never loads it itself, so a watcher of the database costs the first
 * screen nothing.
 */
export function whenLocalDataLoaded(use: (local: LocalData) => void): void {
  if (loading) void loading.then(use)
  else waitingForLoad.push(use)
}

export function localData(): Promise<LocalData> {
  const first = !loading
  loading ??= import('./local').then((local) => {
    try {
      hintStorage()?.setItem(HINT_KEY, '1')
    } catch {
      // Quota or blocked storage: the next start asks the browser instead.
    }
    return local
  })
  if (first) for (const use of waitingForLoad.splice(0)) void loading.then(use)
  return loading
}

/**
 * On a phone that has used its database before, start opening it now, before
 * the app's code has been evaluated (./warm-up runs first): the browser opens
 * its files while the app starts, and Dexie's own open later finds them ready.
 * The early connection steps aside for any schema upgrade and closes once
 * the app is up.
 */
export function warmUp(
  hint: HintStorage | null = hintStorage(),
  idb: IDBFactory | undefined = globalThis.indexedDB,
): void {
  if (hint?.getItem(HINT_KEY) !== '1' || !idb) return
  try {
    const request = idb.open(DATABASE_NAME)
    request.onsuccess = () => {
      const db = request.result
      db.onversionchange = () => db.close()
      setTimeout(() => db.close(), 5000)
    }
    request.onerror = () => {}
  } catch {
    // The stores open it themselves and report what went wrong.
  }
}

/**
 * Whether this phone has stored anything yet. False only when the browser can
 * say for sure that the database does not exist (a first visit, or after
 * "clear site data"); true when it cannot tell, so the caller looks.
 * Loads no database code and creates nothing. A returning phone answers from
 * a localStorage hint: listing databases costs an IPC round trip (tens of ms).
 */
export async function hasLocalData(
  idb: IDBFactory | undefined = globalThis.indexedDB,
  hint: HintStorage | null = hintStorage(),
): Promise<boolean> {
  if (hint?.getItem(HINT_KEY) === '1') return true
  if (typeof idb?.databases !== 'function') return true
  try {
    return (await idb.databases()).some((d) => d.name === DATABASE_NAME)
  } catch {
    return true
  }
}
