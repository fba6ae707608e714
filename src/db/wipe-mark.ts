/**
 * The one mark a wiped phone keeps (./wipe.ts): when its admin wiped it. Apart from
 * the wipe itself so the first screen can read it without carrying the wipe's code.
 */

/** Prefix of every localStorage key Command Post keeps. */
export const PREFIX = 'command-post:'

/** The part of `Storage` used here: the service worker's types have no localStorage. */
export interface KeyStore {
  readonly length: number
  key(index: number): string | null
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** The page's localStorage, or undefined where there is none (the service worker, Node). */
export const pageStorage = (): KeyStore | undefined => (globalThis as { localStorage?: KeyStore }).localStorage

/** localStorage key holding when this phone was wiped (ISO time). */
export const WIPED_KEY = `${PREFIX}wiped`

/** When this phone was wiped by its admin, or null. */
export function wipedAt(storage: KeyStore | undefined = pageStorage()): string | null {
  return storage?.getItem(WIPED_KEY) ?? null
}

/** Forget that this phone was wiped (the person read the notice). */
export function forgetWipe(storage: KeyStore | undefined = pageStorage()): void {
  storage?.removeItem(WIPED_KEY)
}
