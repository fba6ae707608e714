/**
 * The server under hostile clients. The server runs in the measuring process
 * (bench/node/hostile.ts) as `npm start` builds it (default limits, SQLite in
 * a temporary folder); the attacking clients and the health timer run in a
 * child process of their own (bench/node/hostile-clients.ts), so the
 * event-loop figures are the server's own loop, not the clients' work.
 *
 * - JSON stalls: 4 clients POST the 600 KB deeply nested body back to back
 *   (each refused 400 before parsing) while /api/health is timed one request
 *   after another; the server's longest event-loop stall over that time, the
 *   CPU it spent inside its longest stall (bench/lib/loop-stall.ts: a stall
 *   that is mostly waiting is the machine's load, not the server), and
 *   health p95.
 * - Slow clients: 1,000 connections hold a request half sent; health p95.
 */
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../../server/app'
import { TokenService } from '../../server/auth/tokens'
import { openSqliteStore } from '../../server/store/sqlite'
import { LoopWatch, type LoopStalls } from '../lib/loop-stall'

export interface HostileResult {
  json_stall_max_ms: number
  /** CPU the server used inside its longest stall: near the stall, the server's own work; near 0, the machine's load. */
  json_stall_cpu_ms: number
  /** The most CPU the server spent between two ticks of its loop: the longest it can have held the loop itself. */
  json_busy_max_ms: number
  json_health_p95_ms: number
  json_bodies_refused: number
  /** The server's CPU time during the JSON attack per body refused (health requests included): its own cost, whatever the load. */
  json_cpu_per_body_ms: number
  /** The server's CPU time during the JSON attack over its wall time (1 = one core busy throughout). */
  json_cpu_share: number
  slow_client_health_p95_ms: number
}

/** What the measuring process tells the clients' process. */
export type ToClients = { type: 'start'; url: string; port: number; token: string } | { type: 'go' }

/** What the clients' process tells the measuring process. */
export type FromClients =
  | { type: 'json-ready' }
  | { type: 'json-done'; healthP95Ms: number; refused: number }
  | { type: 'done'; slowHealthP95Ms: number }
  | { type: 'failed'; message: string }

/** Runs the clients' process against `url` and reports the server's loop while it attacks. */
async function attack(url: string, token: string): Promise<{ loop: LoopStalls; json: FromClients; slow: FromClients }> {
  const clients = fork(join(import.meta.dirname, '../node/hostile-clients.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const watch = new LoopWatch()
  let loop: LoopStalls | undefined
  let json: FromClients | undefined
  try {
    return await new Promise((resolve, reject) => {
      const send = (message: ToClients) => clients.send(message)
      clients.on('message', (message: FromClients) => {
        switch (message.type) {
          case 'json-ready':
            watch.start()
            send({ type: 'go' })
            break
          case 'json-done':
            loop = watch.stop()
            json = message
            break
          case 'done':
            if (!loop || !json) reject(new Error('the clients finished before the JSON attack'))
            else resolve({ loop, json, slow: message })
            break
          case 'failed':
            reject(new Error(message.message))
            break
        }
      })
      clients.on('exit', (code) => reject(new Error(`the clients' process exited (${code})`)))
      send({ type: 'start', url, port: Number(new URL(url).port), token })
    })
  } finally {
    watch.stop()
    clients.kill()
  }
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
    const { loop, json, slow } = await attack(url, token)
    if (json.type !== 'json-done' || slow.type !== 'done') throw new Error('the clients answered out of order')
    return {
      json_stall_max_ms: loop.maxDelayMs,
      json_stall_cpu_ms: loop.longestGapCpuMs,
      json_busy_max_ms: loop.maxGapCpuMs,
      json_health_p95_ms: json.healthP95Ms,
      json_bodies_refused: json.refused,
      json_cpu_per_body_ms: loop.cpuMs / Math.max(1, json.refused),
      json_cpu_share: loop.cpuMs / loop.wallMs,
      slow_client_health_p95_ms: slow.slowHealthP95Ms,
    }
  } finally {
    await app.close()
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
