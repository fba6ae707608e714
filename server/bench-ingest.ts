/**
 * Push throughput: 10,000 events in 500-event batches into a real SQLite file
 * (WAL, synchronous=FULL), through fastify inject and over HTTP.
 *   npx tsx server/bench-ingest.ts [events=10000]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeEvents } from '../tests/fixtures/events'
import { buildApp } from './app'
import { TokenService } from './auth/tokens'
import { openSqliteStore } from './store/sqlite'

const TOTAL = Number(process.argv[2] ?? 10_000)
const BATCH = 500

async function bench(mode: 'inject' | 'http'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-'))
  const store = openSqliteStore(dir)
  const tokens = new TokenService(store)
  const { token } = await tokens.issue('bench')
  const app = await buildApp({ store, tokens, version: 'bench', rateLimit: { perMinute: 0, burst: 0 } })
  const url = mode === 'http' ? await app.listen({ port: 0, host: '127.0.0.1' }) : ''
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  const bodies: string[] = []
  for (let i = 0; i < TOTAL; i += BATCH) bodies.push(JSON.stringify({ events: makeEvents(Math.min(BATCH, TOTAL - i)) }))

  const started = performance.now()
  let accepted = 0
  for (const body of bodies) {
    const answer =
      mode === 'inject'
        ? (await app.inject({ method: 'POST', url: '/api/events', headers, payload: body })).json()
        : await (await fetch(`${url}/api/events`, { method: 'POST', headers, body })).json()
    accepted += (answer as { accepted: string[] }).accepted.length
  }
  const seconds = (performance.now() - started) / 1000
  if (accepted !== TOTAL) throw new Error(`accepted ${accepted} of ${TOTAL}`)
  await app.close()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  return TOTAL / seconds
}

for (const mode of ['inject', 'http'] as const) {
  const rates = []
  for (let run = 0; run < 3; run++) rates.push(await bench(mode))
  const best = Math.max(...rates)
  process.stdout.write(
    `${mode}: ${TOTAL} events in ${BATCH}-event batches: best ${Math.round(best)} events/s (runs: ${rates.map((r) => Math.round(r)).join(', ')})\n`,
  )
}
