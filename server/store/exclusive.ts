/**
 * Scheduled work that exactly one server does, however many share the
 * database: the PostgreSQL store lets one of them run it at a time (a session
 * advisory lock per job name); on SQLite one process serves the file, so it
 * simply runs, one run at a time in this process.
 */
import type { Store } from './types'

const running = new Set<string>()

/**
 * Runs `fn` as the job `name` unless it is running already (on any server
 * sharing the database, or in this process); resolves to whether it ran.
 * Rejects with what `fn` threw.
 */
export async function runExclusive(
  store: Pick<Store, 'exclusive'>,
  name: string,
  fn: () => Promise<void>,
): Promise<boolean> {
  if (running.has(name)) return false
  running.add(name)
  try {
    if (store.exclusive) return await store.exclusive(name, fn)
    await fn()
    return true
  } finally {
    running.delete(name)
  }
}
