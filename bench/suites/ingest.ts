/**
 * Server ingest: 100,000 events POSTed to /api/events in batches of 500 (one
 * client, one request at a time, bodies serialised beforehand), beside the
 * limit: the same rows inserted straight into SQLite in one transaction through
 * the server's own openDatabase (same schema, WAL, synchronous=FULL) and the
 * same INSERT — no HTTP, no validation, one fsync.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canonicalJson } from '../../server/events/canonical'
import { openDatabase } from '../../server/store/sqlite'
import type { IncidentEvent } from '../../src/domain/events'
import { INGEST } from '../lib/datasets'
import type { Recorder } from '../lib/metrics'
import { pushBatch } from '../lib/push'

/** Best of `runs`: a limit is what the machine can do, and fsync time varies a lot on a shared disk. */
export function rawSqliteInsertEps(events: readonly IncidentEvent[], runs = 2): number {
  const rows = events.map((e) => [e.id, e.incidentId, e.hlc, canonicalJson(e)] as const)
  const eps: number[] = []
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(join(tmpdir(), 'cp-bench-sqlite-'))
    try {
      const db = openDatabase(dir)
      const insert = db.prepare(
        'INSERT INTO events (id, incident_id, hlc, body, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      )
      const receivedAt = new Date().toISOString()
      const all = db.transaction(() => {
        for (const r of rows) insert.run(r[0], r[1], r[2], r[3], receivedAt)
      })
      const t = performance.now()
      all()
      const ms = performance.now() - t
      const stored = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n
      db.close()
      if (stored !== rows.length) throw new Error(`raw SQLite stored ${stored} of ${rows.length}`)
      eps.push(rows.length / (ms / 1000))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return Math.max(...eps)
}

/** POSTs every event in batches; returns events per second from first request to last answer. */
export async function serverIngestEps(url: string, token: string, events: readonly IncidentEvent[]): Promise<number> {
  const bodies: string[] = []
  for (let i = 0; i < events.length; i += INGEST.batch)
    bodies.push(JSON.stringify({ events: events.slice(i, i + INGEST.batch) }))
  let accepted = 0
  const t = performance.now()
  for (const body of bodies) {
    const { status, body: answer } = await pushBatch(url, token, body)
    if (status !== 200) throw new Error(`POST /api/events answered ${status}: ${JSON.stringify(answer)}`)
    if (answer.rejected?.length)
      throw new Error(`the server rejected bench events: ${JSON.stringify(answer.rejected.slice(0, 3))}`)
    accepted += answer.accepted?.length ?? 0
  }
  const ms = performance.now() - t
  if (accepted !== events.length) throw new Error(`server accepted ${accepted} of ${events.length}`)
  return events.length / (ms / 1000)
}

export async function ingestSuite(
  rec: Recorder,
  url: string,
  token: string,
  events: readonly IncidentEvent[],
): Promise<void> {
  rec.set('raw_sqlite_insert_eps', rawSqliteInsertEps(events), 0)
  rec.set('server_ingest_eps', await serverIngestEps(url, token, events), 0)
}
