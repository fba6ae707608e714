/**
 * The fold in Node (a child process of bench/run.ts, so its heap holds nothing
 * else): 100,000 events of one incident folded from scratch, beside sorting the
 * same events by (hlc, id) — the least any fold must do — and one event
 * applied incrementally to a folded state, as a phone does for each new event.
 * Prints one JSON line.
 */
import { applyEvent, compareEvents, foldIncident } from '../../src/domain/fold'
import type { IncidentEvent } from '../../src/domain/events'
import { arrivalOrder, generateIncident } from '../lib/events'
import { median } from '../lib/stats'

const RUNS = 5
const WARMUP = 1

const events = arrivalOrder(generateIncident({ seed: 500, events: 100_000 }), 501)

function time(fn: () => void): number {
  const t = performance.now()
  fn()
  return performance.now() - t
}

// Interleaved, so drift on a shared machine hits both alike.
const fold: number[] = []
const sort: number[] = []
for (let i = 0; i < WARMUP + RUNS; i++) {
  const f = time(() => {
    if (!foldIncident(events)) throw new Error('fold found no declaration')
  })
  const s = time(() => {
    ;[...events].sort(compareEvents)
  })
  if (i >= WARMUP) {
    fold.push(f)
    sort.push(s)
  }
}

// Incremental: fold 10,000 events, then apply the next 20,000 one at a time.
// Timed in batches of 100 (one apply is under a microsecond: below the timer's grain).
const more = generateIncident({ seed: 502, events: 30_000 })
const incidentId = more[0]!.incidentId
const base = foldIncident(more.slice(0, 10_000))!
const rest: IncidentEvent[] = more.slice(10_000)
const BATCH = 100
const perEvent: number[] = []
let refolds = 0
for (let i = 0; i + BATCH <= rest.length; i += BATCH) {
  const batch = rest.slice(i, i + BATCH)
  const t = performance.now()
  for (const e of batch) if (!applyEvent(base, e)) refolds++
  const us = ((performance.now() - t) * 1000) / BATCH
  if (i >= 10 * BATCH) perEvent.push(us) // the first 10 batches warm the JIT
}
if (refolds) throw new Error(`${refolds} events needed a refold: the bench data is not in clock order`)
if (base.events.length !== more.length || base.id !== incidentId) throw new Error('incremental apply lost events')

process.stdout.write(
  `${JSON.stringify({ fold_100k_ms: median(fold), sort_100k_ms: median(sort), fold_apply_one_us: median(perEvent), events: events.length })}\n`,
)
