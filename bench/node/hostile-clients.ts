/**
 * The hostile clients of bench/suites/hostile.ts, in a process of their own
 * (forked with an IPC channel), so their work is not in the server's
 * event-loop figures. Told `start`, it warms up, says `json-ready`, waits for
 * `go` (the server is watching its loop), attacks with deep JSON bodies while
 * timing /api/health, says `json-done`, then holds 1,000 partial requests
 * while timing health again, says `done` and exits.
 */
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
  let refused = 0
  let attacking = true
  const attacker = async () => {
    while (attacking) {
      const res = await fetch(`${url}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      })
      await res.arrayBuffer()
      if (res.status !== 400) throw new Error(`the deep body was answered ${res.status}`)
      refused++
    }
  }
  const go = next()
  tell({ type: 'json-ready' })
  await go
  const attackers = Array.from({ length: ATTACKERS }, attacker)
  let jsonTimes: number[]
  try {
    jsonTimes = await healthTimes(url, HEALTH_SAMPLES)
  } finally {
    attacking = false
    await Promise.allSettled(attackers)
  }
  await Promise.all(attackers)
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
