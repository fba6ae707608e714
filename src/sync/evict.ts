/**
 * Scoped sync later on (issue #17 item 4, docs/CONTRACT-EXTENSIONS.md): what
 * this phone holds in full follows the window of resolved incidents
 * (`holdResolvedDays`) as time passes and as the setting changes, not only at
 * the join (./scope.ts).
 *
 * - Eviction: a held incident that is resolved, whose last activity is before
 *   the window, that this person did not declare and that no page holds open
 *   (./open-incidents.ts) becomes a remote overview again, its events deleted,
 *   only when the server has acknowledged every one of them
 *   (src/db/scope-writes.ts evictIncidents checks that in the transaction
 *   that deletes them). Opening it later fetches it again.
 * - Widening: a remote incident the window now takes in is fetched and held.
 *
 * The sync engine's leader runs it after a good round, once a day, or as soon
 * as the window differs from the one it last ran with (setting `scopeReconciled`).
 */
import type { CommandPostDatabase } from '../db/database'
import { evictIncidents, incidentIdsWithEvents } from '../db/scope-writes'
import { readRemoteSummaries } from '../db/scope'
import { readSetting, writeSetting } from '../db/settings'
import type { SyncApi } from './api'
import { DAY_MS, fetchAll, heldInFull, phonePerson } from './scope'

export interface ReconcileOptions {
  /** This phone's clock, ms: the window ends here. */
  now: () => number
  /** The incidents some page holds open (never evicted); null: not known (Web Locks missing), nothing is evicted. */
  openIncidents: () => Promise<ReadonlySet<string> | null>
}

/** What a run did: incident ids made remote, and remote ones fetched and held. */
export interface Reconciled {
  evicted: string[]
  fetched: string[]
}

/**
 * Whether the engine should run `reconcileScope` now: the phone joined by
 * summaries, and a day has passed since the last run or the window changed.
 */
export async function reconcileDue(db: CommandPostDatabase, now: number): Promise<boolean> {
  const [scope, last, days, cursor] = await Promise.all([
    readSetting(db, 'scope'),
    readSetting(db, 'scopeReconciled'),
    readSetting(db, 'holdResolvedDays'),
    readSetting(db, 'cursor'),
  ])
  // A recovery after a server restore re-checks what was acknowledged: nothing is evicted meanwhile.
  if (!scope || cursor.recovering) return false
  // A clock set back by more than a day counts as a day passed too.
  return !last || last.days !== days || Math.abs(now - last.at) >= DAY_MS
}

/**
 * Bring what is held in line with the window (see the file's comment): evict,
 * then fetch. Resolves once both are stored and the run recorded; rejects
 * with a SyncError when a fetch fails (what was evicted or fetched stays, and
 * the next good round runs it again) or with a storage error.
 */
export async function reconcileScope(
  db: CommandPostDatabase,
  api: SyncApi,
  options: ReconcileOptions,
): Promise<Reconciled> {
  const now = options.now()
  const [days, person, open] = await Promise.all([
    readSetting(db, 'holdResolvedDays'),
    phonePerson(db),
    options.openIncidents(),
  ])
  const since = now - days * DAY_MS
  const outside = (o: Parameters<typeof heldInFull>[0]) => !heldInFull(o, since, person)
  let evicted: string[] = []
  if (open) {
    // Candidates: incidents with events whose stored overview (if the incidents store wrote one yet) says
    // they fell out; evictIncidents folds each again from its events before deciding.
    const [ids, rows] = await Promise.all([incidentIdsWithEvents(db), db.summaries.toArray()])
    const stored = new Map(rows.map((row) => [row.id, row]))
    const candidates = [...ids].filter((id) => {
      const row = stored.get(id)
      return !open.has(id) && !row?.remote && (!row || (row.overview !== null && outside(row.overview)))
    })
    evicted = await evictIncidents(db, candidates, outside)
  }
  const inside = (await readRemoteSummaries(db)).filter((row) => !outside(row.overview)).map((row) => row.id)
  await fetchAll(db, api, inside, now)
  await writeSetting(db, 'scopeReconciled', { at: now, days })
  return { evicted, fetched: inside }
}
