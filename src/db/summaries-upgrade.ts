/**
 * The version 5 upgrade: an overview for every incident already stored, from
 * one pass over the events in `[incidentId+hlc]` order, so only one incident's
 * events are in memory at a time. Runs once per phone, inside Dexie's upgrade
 * transaction: if it fails, the database stays at the older version and the
 * app reports the failed upgrade, with every event still there.
 */
import type { Transaction } from 'dexie'
import type { IncidentEvent } from '../domain/events'
import { overviewFromEvents } from '../domain/summary'
import type { StoredEvent, StoredSummary } from './database'

/** The kv key of the summaries' watermark: every event with `lseq` at or below it is reflected in the summaries. */
export const SUMMARIES_LSEQ = 'summaries-lseq'

/** Fold the stored events of every incident into the `summaries` table, and set the watermark to the last lseq. */
export async function summarizeStoredEvents(tx: Transaction): Promise<void> {
  const kv = tx.table<{ key: string; value: unknown }, string>('kv')
  const lseqRow = await kv.get('lseq')
  // Overviews are small (5,000 incidents: about 2 MB); events are held one incident at a time.
  const out: StoredSummary[] = []
  let current: string | null = null
  let events: IncidentEvent[] = []
  let maxLseq = 0
  const flush = () => {
    if (current !== null) out.push({ id: current, overview: overviewFromEvents(events), lseq: maxLseq })
  }
  await tx
    .table<StoredEvent, string>('events')
    .orderBy('[incidentId+hlc]')
    .each((row) => {
      if (row.incidentId !== current) {
        flush()
        current = row.incidentId
        events = []
        maxLseq = 0
      }
      events.push(row.event)
      if (row.lseq > maxLseq) maxLseq = row.lseq
    })
  flush()
  await tx.table<StoredSummary, string>('summaries').bulkPut(out)
  await kv.put({ key: SUMMARIES_LSEQ, value: typeof lseqRow?.value === 'number' ? lseqRow.value : 0 })
}
