/**
 * Which incidents a page holds open (scoped sync's eviction, ./evict.ts): a
 * page that folds a resolved incident because it was opened takes a shared
 * Web Lock named after it for the rest of its life. The sync engine's leader,
 * in whatever tab, asks the lock manager which are held and never makes one
 * of them remote: a view is never left showing, or writing to, an incident
 * whose events were just deleted. The browser lets go of a closed or crashed
 * tab's locks, so nothing stale keeps an incident held.
 */

/** The prefix of every such lock's name; the incident id follows. */
export const OPEN_INCIDENT_LOCK = 'command-post:open-incident:'

/** The part of `navigator.locks` used here (a subset of the Web Locks API's LockManager). */
export interface OpenLocks {
  request(name: string, options: { mode: 'shared' }, callback: () => Promise<void>): Promise<unknown>
  query(): Promise<{ held?: { name?: string }[] }>
}

function pageLocks(): OpenLocks | null {
  const locks = (globalThis as { navigator?: { locks?: Partial<OpenLocks> } }).navigator?.locks
  return locks && typeof locks.request === 'function' && typeof locks.query === 'function' ? (locks as OpenLocks) : null
}

/**
 * Mark `incidentId` open in this page until it closes. Resolves once the lock
 * is held (at once where Web Locks are missing: eviction does not run there).
 */
export function keepOpen(incidentId: string, locks: OpenLocks | null = pageLocks()): Promise<void> {
  if (!locks) return Promise.resolve()
  return new Promise<void>((held) => {
    // Shared: every tab that has it open holds the same lock. Never released before the page goes.
    void locks.request(OPEN_INCIDENT_LOCK + incidentId, { mode: 'shared' }, () => {
      held()
      return new Promise<void>(() => {})
    })
  })
}

/**
 * The incidents some page of this origin holds open; null where Web Locks are
 * missing (the caller cannot know, so it evicts nothing).
 */
export async function openIncidents(locks: OpenLocks | null = pageLocks()): Promise<Set<string> | null> {
  if (!locks) return null
  const { held = [] } = await locks.query()
  const ids = new Set<string>()
  for (const { name } of held) if (name?.startsWith(OPEN_INCIDENT_LOCK)) ids.add(name.slice(OPEN_INCIDENT_LOCK.length))
  return ids
}
