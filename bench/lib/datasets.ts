/** The data sets of a run, by seed: change a seed and every figure changes meaning. */
export const INGEST = { incidents: 10, eventsEach: 10_000, seed: 1000, batch: 500 } as const

/** `list` cut into the pushes of INGEST (batch items each, the last one shorter). */
export function ingestBatches<T>(list: readonly T[]): T[][] {
  const batches: T[][] = []
  for (let i = 0; i < list.length; i += INGEST.batch) batches.push(list.slice(i, i + INGEST.batch))
  return batches
}
/**
 * Stored untimed before each side of the PostgreSQL ingest comparison (bench/scale.ts): 10 batches, so
 * raw INSERT's client and the server alike are timed warm (compiled by V8, PostgreSQL's caches filled).
 */
export const INGEST_WARM_UP = { incidents: 2, eventsEach: 2_500, seed: 1100 } as const
export const PUSH = { incidents: 4, eventsEach: 5_000, seed: 2000 } as const
export const BIG_INCIDENT = { seed: 3000, timelineItems: 10_000 } as const
/** The everyday phone for cold start and the accessibility pass. */
export const SMALL_PHONE = { incidents: 3, eventsEach: 60, seed: 4000 } as const
/** The phone that searches: 2,000 incidents × 50 events = 100,000 events. */
export const SEARCH_PHONE = { incidents: 2000, eventsEach: 50, seed: 7000 } as const
