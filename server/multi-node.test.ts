/**
 * Three real server processes (`server/main.ts`) on one PostgreSQL database:
 * a stream on one node hears pushes to another and is closed by a revocation
 * made on a third (LISTEN/NOTIFY; the periodic token re-check is set to an
 * hour so only the notification can do it); one node is SIGKILLed while four
 * clients push, and every event acknowledged by any node is stored exactly
 * once, under seq 1..N without a gap. Nothing is written to DATA_DIR.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { IncidentEvent } from '../src/domain/events'
import { makeEvents, makeIncident } from '../tests/fixtures/events'
import { TokenService } from './auth/tokens'
import { openPostgresStore } from './store/postgres'
import { SseReader, tempDir } from './test-support'
import { tokenCli } from './token-cli'
import { testDatabase, type TestDatabase } from './test-postgres'

vi.setConfig({ testTimeout: 180_000, hookTimeout: 240_000 })

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const LISTENING = /Command Post listening on (http:\/\/127\.0\.0\.1:\d+)/

interface Node {
  proc: ChildProcess
  url: string
  exited: Promise<unknown>
}

let database: TestDatabase
const dataDir = tempDir('cp-multi-node-')
const nodes: Node[] = []
const tokens: Record<string, string> = {}

function startNode(): Promise<Node> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '4',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir.path,
      DIST_DIR: `${dataDir.path}-no-dist`,
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_MINUTE: '0',
      TOKEN_RECHECK_MS: '3600000',
      SSE_HEARTBEAT_MS: '60000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise((resolve) => proc.on('exit', resolve))
  let stdout = ''
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d
  })
  return new Promise((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      stdout += d
      const m = LISTENING.exec(stdout)
      if (m) resolve({ proc, url: m[1]!, exited })
    })
    void exited.then((code) => reject(new Error(`node exited (${String(code)}): ${stderr}`)))
  })
}

beforeAll(async () => {
  database = await testDatabase()
  const store = await openPostgresStore(database.url, { poolSize: 1 })
  const service = new TokenService(store)
  for (const name of ['admin', 'watcher', 'c0', 'c1', 'c2', 'c3'])
    tokens[name] = (await service.issue(name, { admin: name === 'admin' })).token
  await store.close()
  // Started together: they migrate once between them, under the migration lock.
  nodes.push(...(await Promise.all([startNode(), startNode(), startNode()])))
})

afterAll(async () => {
  for (const n of nodes) if (n.proc.exitCode === null && n.proc.signalCode === null) n.proc.kill('SIGKILL')
  await Promise.all(nodes.map((n) => n.exited))
  await database?.drop()
  dataDir.remove()
})

const auth = (name: string) => ({ authorization: `Bearer ${tokens[name]}`, 'content-type': 'application/json' })

async function push(node: Node, events: readonly IncidentEvent[], as: string) {
  return fetch(`${node.url}/api/events`, { method: 'POST', headers: auth(as), body: JSON.stringify({ events }) })
}

async function pullAll(node: Node): Promise<{ id: string; seq: number }[]> {
  const all: { id: string; seq: number }[] = []
  let after = 0
  for (;;) {
    const page = (await (
      await fetch(`${node.url}/api/events?after=${after}&limit=1000`, { headers: auth('admin') })
    ).json()) as {
      events: { id: string; seq: number }[]
      more: boolean
      last: number
    }
    all.push(...page.events)
    after = page.last
    if (!page.more) return all
  }
}

describe('three nodes on one PostgreSQL database', () => {
  it('share one identity, and keep nothing in DATA_DIR', async () => {
    const ids = await Promise.all(
      nodes.map(async (n) => ((await (await fetch(`${n.url}/api/health`)).json()) as { serverId: string }).serverId),
    )
    expect(new Set(ids).size).toBe(1)
    expect(readdirSync(dataDir.path)).toEqual([])
  })

  it('deliver a push on one node to a stream on another, and a revocation on a third closes it', async () => {
    const [a, b, c] = nodes as [Node, Node, Node]
    const { response, sse } = await SseReader.open(`${a.url}/api/events/stream?after=0`, auth('watcher'))
    expect(response.status).toBe(200)
    const incident = makeIncident(2)
    expect((await push(b, incident, 'c0')).status).toBe(200)
    const first = await sse.next()
    const second = await sse.next()
    expect([first, second].map((m) => (JSON.parse(m.data!) as { id: string }).id)).toEqual(incident.map((e) => e.id))

    const revoke = await fetch(`${c.url}/api/admin/tokens/revoke`, {
      method: 'POST',
      headers: auth('admin'),
      body: JSON.stringify({ name: 'watcher' }),
    })
    expect(revoke.status).toBe(200)
    // TOKEN_RECHECK_MS is an hour: only node C's NOTIFY can close node A's stream now.
    await sse.waitForEnd()
    expect(sse.ended).toBe(true)
  })

  it('take tokens issued and revoked by the token CLI on the shared database, on every node', async () => {
    let out = ''
    let err = ''
    const stream = (add: (s: string) => void) =>
      ({ write: (s: string) => (add(s), true) }) as unknown as NodeJS.WritableStream
    const env = { DATABASE_URL: database.url, PUBLIC_URL: 'https://cp.example.org', DATA_DIR: dataDir.path }
    const issued = await tokenCli(
      ['--name', 'Sam'],
      env,
      stream((s) => (out += s)),
      stream((s) => (err += s)),
    )
    expect(issued).toBe(0)
    const token = out.split('\n')[0]!
    expect(out).toContain('https://cp.example.org/#/join?token=')
    tokens.sam = token
    for (const node of nodes) expect((await push(node, makeEvents(1), 'sam')).status).toBe(200)
    expect(
      await tokenCli(
        ['--revoke', 'Sam'],
        env,
        stream(() => {}),
        stream(() => {}),
      ),
    ).toBe(0)
    for (const node of nodes) expect((await push(node, makeEvents(1), 'sam')).status).toBe(401)
    expect(readdirSync(dataDir.path)).toEqual([])
  })

  it('lose no acknowledged event and store none twice when a node is SIGKILLed during pushes', async () => {
    const before = await pullAll(nodes[1]!)
    const acknowledged = new Set<string>()
    const victim = nodes[0]!
    let killed = false
    let batchesAcked = 0
    let failovers = 0
    const KILL_AFTER = 8
    const BATCHES = 12

    const client = async (i: number) => {
      let next = i % nodes.length
      for (let b = 0; b < BATCHES; b++) {
        const events = makeEvents(10, 2)
        // Like a phone behind the README's proxy: a failed push goes again, unchanged, to the next node.
        for (;;) {
          const node = nodes[next]!
          let status = 0
          let body: { accepted: string[]; duplicate: string[] } | undefined
          try {
            const r = await push(node, events, `c${i}`)
            status = r.status
            if (status === 200) body = (await r.json()) as typeof body
          } catch {
            status = 0
          }
          next = (next + 1) % nodes.length
          if (!body) {
            // The killed node: refused or cut (0); never a 500, never an answer that acknowledges.
            expect([0, 503]).toContain(status)
            failovers++
            continue
          }
          for (const id of [...body.accepted, ...body.duplicate]) acknowledged.add(id)
          expect(body.accepted.length + body.duplicate.length).toBe(events.length)
          if (++batchesAcked === KILL_AFTER && !killed) {
            killed = true
            victim.proc.kill('SIGKILL')
          }
          break
        }
      }
    }
    await Promise.all([0, 1, 2, 3].map(client))
    await victim.exited
    expect(killed).toBe(true)
    // Each client still had batches to send after the kill, and went round the nodes: some hit the dead one.
    expect(failovers).toBeGreaterThan(0)
    expect(acknowledged.size).toBe(4 * BATCHES * 10)

    const after = await pullAll(nodes[2]!)
    const stored = after.slice(before.length)
    const ids = stored.map((e) => e.id)
    // Every acknowledged event once, nothing else, under seq numbers without a gap.
    expect(new Set(ids).size).toBe(ids.length)
    expect(new Set(ids)).toEqual(acknowledged)
    expect(after.map((e) => e.seq)).toEqual(after.map((_, i) => i + 1))
  })
})
