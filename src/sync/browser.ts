/**
 * The browser's side of sync: network and visibility changes go to the
 * engine, and a Background Sync registration lets the service worker send
 * the outbox once the network is back, even if this page was closed.
 * Typed structurally, so this file also compiles with the service worker's lib.
 */
import type { SyncEngine } from './engine'
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
