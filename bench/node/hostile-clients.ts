/**
 * The hostile clients of bench/suites/hostile.ts, in a process of their own
 * (forked with an IPC channel), so their work is not in the server's
 * event-loop figures. Told `start`, it warms up, says `json-ready`, waits for
 * `go` (the server is watching its loop), attacks with deep JSON bodies (on a
 * worker thread) while timing /api/health on this one, says `json-done`, then holds 1,000 partial requests
 * while timing health again, says `done` and exits.
 */
import { Worker } from 'node:worker_threads'
import { deepBody, healthTimes, openPartialRequests, p95 } from '../../server/hostile-load'
import type { FromClients, ToClients } from '../suites/hostile'

/** Concurrent clients posting the deep body back to back. */
const ATTACKERS = 4
/** Health requests timed during each phase, one after another. */
const HEALTH_SAMPLES = 200

function tell(message: FromClients): void {
  process.send!(message)
}

function next(): Promise<ToClients> {
  return new Promise((resolve) => process.once('message', (m: ToClients) => resolve(m)))
}

async function run(url: string, port: number, token: string): Promise<void> {
  await healthTimes(url, 20) // warm-up
  const body = Buffer.from(deepBody())
  const go = next()
  tell({ type: 'json-ready' })
  await go
  // The attackers run on a thread of their own (hostile-attackers.mjs): the health times are then the server's.
  const attackers = new Worker(new URL('./hostile-attackers.mjs', import.meta.url), {
    workerData: { url, token, body, attackers: ATTACKERS },
  })
  const settled = new Promise<{ refused?: number; failed?: string }>((resolve, reject) => {
    attackers.on('message', (m: { started?: boolean; refused?: number; failed?: string }) => {
      if (!m.started) resolve(m)
    })
    attackers.once('error', reject)
  })
  // An attacker's failure is thrown below, after the health times; until then it must not crash this process.
  settled.catch(() => undefined)
  await new Promise<void>((resolve) => attackers.once('message', () => resolve()))
  let jsonTimes: number[]
  try {
    jsonTimes = await healthTimes(url, HEALTH_SAMPLES)
  } finally {
    attackers.postMessage('stop')
  }
  const outcome = await settled
  await attackers.terminate()
  if (outcome.failed) throw new Error(outcome.failed)
  const refused = outcome.refused ?? 0
  tell({ type: 'json-done', healthP95Ms: p95(jsonTimes), refused })

  const partial = await openPartialRequests(port, 1_000)
  let slowTimes: number[]
  try {
    slowTimes = await healthTimes(url, HEALTH_SAMPLES)
  } finally {
    partial.close()
  }
  tell({ type: 'done', slowHealthP95Ms: p95(slowTimes) })
}

const start = await next()
if (start.type !== 'start') throw new Error(`expected start, got ${start.type}`)
try {
  await run(start.url, start.port, start.token)
} catch (e) {
  tell({ type: 'failed', message: e instanceof Error ? e.message : String(e) })
}
process.disconnect()
