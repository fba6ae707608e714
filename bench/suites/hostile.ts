/**
 * The server under hostile clients, measured in one process (bench/node/hostile.ts):
 * the server as `npm start` builds it (default limits, SQLite in a temporary
 * folder) and the attacking clients beside it, so the event-loop figure also
 * carries the clients' own work and is pessimistic.
 *
 * - JSON stalls: 4 clients POST the 600 KB deeply nested body back to back
 *   (each refused 400 before parsing) while /api/health is timed one request
 *   after another; the longest event-loop stall (perf_hooks.monitorEventLoopDelay)
 *   and health p95 over that time.
 * - Slow clients: 1,000 connections hold a request half sent; health p95.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../server/app'
import { TokenService } from '../../server/auth/tokens'
import { deepBody, healthTimes, openPartialRequests, p95 } from '../../server/hostile-load'
import { openSqliteStore } from '../../server/store/sqlite'

export interface HostileResult {
  json_stall_max_ms: number
  json_health_p95_ms: number
  json_bodies_refused: number
  slow_client_health_p95_ms: number
}

export async function hostile(): Promise<HostileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-bench-hostile-'))
  const store = openSqliteStore(dir)
  const tokens = new TokenService(store)
  const { token } = await tokens.issue('bench hostile')
  // Rate limit off: every body must reach the JSON parser, as from many tokens at once.
  const app = await buildApp({ store, tokens, version: 'bench', rateLimit: { perMinute: 0, burst: 0 } })
  try {
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const port = Number(new URL(url).port)
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
    const loop = monitorEventLoopDelay({ resolution: 5 })
    loop.enable()
    const attackers = Array.from({ length: 4 }, attacker)
    const jsonTimes = await healthTimes(url, 200)
    attacking = false
    await Promise.all(attackers)
    loop.disable()

    const partial = await openPartialRequests(port, 1_000)
    let slowTimes: number[]
    try {
      slowTimes = await healthTimes(url, 200)
    } finally {
      partial.close()
    }
    return {
      json_stall_max_ms: loop.max / 1e6,
      json_health_p95_ms: p95(jsonTimes),
      json_bodies_refused: refused,
      slow_client_health_p95_ms: p95(slowTimes),
    }
  } finally {
    await app.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
