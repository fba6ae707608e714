/**
 * The browser's side of sync: network and visibility changes go to the
 * engine, and a Background Sync registration lets the service worker send
 * the outbox once the network is back, even if this page was closed.
 * Typed structurally, so this file also compiles with the service worker's lib.
 */
import type { SyncEngine } from './engine'
import type { ChannelLike, LockManagerLike } from './leader'
import { OUTBOX_SYNC_TAG } from './push'

interface Listenable {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

export interface BrowserWindow extends Listenable {
  document: Listenable & { visibilityState: string }
}

/** Forward `online`/`offline` and page visibility to the engine; returns the cleanup. */
export function watchBrowser(engine: SyncEngine, win: BrowserWindow): () => void {
  const onOnline = () => engine.setOnline(true)
  const onOffline = () => engine.setOnline(false)
  const onVisibility = () => engine.setVisible(win.document.visibilityState !== 'hidden')
  win.addEventListener('online', onOnline)
  win.addEventListener('offline', onOffline)
  win.document.addEventListener('visibilitychange', onVisibility)
  return () => {
    win.removeEventListener('online', onOnline)
    win.removeEventListener('offline', onOffline)
    win.document.removeEventListener('visibilitychange', onVisibility)
  }
}

/** The part of `window.location` a wiped phone's reload needs. */
export interface Reloadable {
  replace(url: string): void
}

/**
 * A wiped phone starts over: load the app's start page afresh (not the page it was on,
 * whose incident no longer exists), so nothing held in this page's memory outlives the
 * deleted data. `replace`: Back does not return to the old page.
 */
export function reloadAfterWipe(location: Reloadable, baseUrl: string): void {
  location.replace(baseUrl)
}

export interface WorkerContainer {
  getRegistration(): Promise<{ active: unknown; sync?: { register(tag: string): Promise<void> } } | undefined>
}

/**
 * Ask for a one-off Background Sync (Chromium has it; others do not, and
 * then the page's own retries are all there is). Resolves false when unsupported.
 */
export async function requestBackgroundPush(container: WorkerContainer | undefined): Promise<boolean> {
  if (!container) return false
  try {
    // getRegistration, not ready: ready never settles on a page without a worker.
    const registration = await container.getRegistration()
    if (!registration?.active || !registration.sync) return false
    await registration.sync.register(OUTBOX_SYNC_TAG)
    return true
  } catch {
    // Permission denied or the worker is being replaced: the page keeps retrying anyway.
    return false
  }
}

/** The page lifecycle hooks of a LeaderSync (src/sync/leader.ts). */
export interface Freezable {
  freeze(): void
  resume(): void
}

/**
 * Page lifecycle: a frozen tab runs no code, so it must not lead sync nor wait
 * in the queue for it. `freeze` and `resume` fire on the document (Chromium).
 */
export function watchLifecycle(target: Freezable, doc: Listenable): () => void {
  const onFreeze = () => target.freeze()
  const onResume = () => target.resume()
  doc.addEventListener('freeze', onFreeze)
  doc.addEventListener('resume', onResume)
  return () => {
    doc.removeEventListener('freeze', onFreeze)
    doc.removeEventListener('resume', onResume)
  }
}

/** What the leader election needs from the page; null where Web Locks or BroadcastChannel are missing (then each tab syncs alone). */
export function leaderElectionSupport(
  scope: object,
): { locks: LockManagerLike; openChannel(name: string): ChannelLike } | null {
  const locks = (scope as { navigator?: { locks?: LockManagerLike } }).navigator?.locks
  const Channel = (scope as { BroadcastChannel?: new (name: string) => ChannelLike }).BroadcastChannel
  if (!locks || typeof locks.request !== 'function' || !Channel) return null
  return { locks, openChannel: (name) => new Channel(name) }
}
