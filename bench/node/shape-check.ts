/**
 * The benchmark writes IndexedDB rows itself (10,000 events through the UI
 * would take minutes). Here the app's own storage code (src/db/events.ts, on
 * fake-indexeddb) stores a sample of the same events, and every row must equal
 * what bench/lib/phone.ts storedRows() writes, kv rows included; and every
 * generated event must pass the domain's validateEvent. Exits non-zero on any
 * difference, so a schema change cannot silently skew the figures.
 */
import 'fake-indexeddb/auto'
import assert from 'node:assert/strict'
import { CommandPostDatabase, SyncState } from '../../src/db/database'
import { appendLocalEvents, storeRemoteEvents } from '../../src/db/events'
import { validateEvent } from '../../src/domain/events'
import { BIG_INCIDENT, PUSH } from '../lib/datasets'
import { generateIncident, generateIncidents } from '../lib/events'
import { storedRows } from '../lib/phone'

const remote = generateIncident({ seed: BIG_INCIDENT.seed, events: 300 })
const local = generateIncidents(2, 150, PUSH.seed)
for (const e of [...remote, ...local]) {
  const checked = validateEvent(e)
  assert.ok(checked.ok, `generated event ${e.id} is invalid: ${checked.ok ? '' : checked.reason}`)
}

const db = new CommandPostDatabase('bench-shape-check')
await storeRemoteEvents(db, remote, remote.at(-1)!.hlc)
await appendLocalEvents(db, local)

const rows = await db.events.orderBy('lseq').toArray()
const expected = [
  ...storedRows(remote, 1, SyncState.acknowledged),
  ...storedRows(local, remote.length + 1, SyncState.pending),
]
assert.deepEqual(rows, expected, 'bench rows differ from the rows src/db/events.ts stores')
const kv = Object.fromEntries((await db.kv.toArray()).map((r) => [r.key, r.value]))
assert.equal(kv.lseq, remote.length + local.length, 'kv lseq')
assert.equal(kv.clock, local.at(-1)!.hlc, 'kv clock')
db.close()
process.stdout.write(`${JSON.stringify({ ok: true, rows: rows.length })}\n`)
