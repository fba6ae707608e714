/**
 * The real server process: crash durability (SIGKILL mid-stream) and graceful
 * shutdown (SIGTERM), on a real SQLite file.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { makeEvents } from '../tests/fixtures/events'
import { SseReader, tempDir } from './test-support'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const LISTENING = /^Command Post listening on (http:\/\/127\.0\.0\.1:(\d+))$/m

interface Running {
  proc: ChildProcess
  url: string
  stdout: string
  /** Everything written to stderr so far (the log). */
  stderr(): string
  /** Everything written to stdout so far. */
  output(): string
  exited: Promise<number | null>
}

/** The first token, from the file the server writes it to when stdout is not a terminal. */
const firstToken = (dataDir: string) => readFileSync(join(dataDir, 'first-token.txt'), 'utf8').split('\n')[0]!
const procs: ChildProcess[] = []
afterEach(() => {
  for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
})

/** Starts `server/main.ts` under node directly (not the tsx CLI, which would outlive a SIGKILL of its wrapper). */
function startServer(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DIST_DIR: `${dataDir}-no-dist`,
      LOG_LEVEL: 'warn',
      SSE_HEARTBEAT_MS: '60000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  procs.push(proc)
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  let stdout = ''
  let stderr = ''
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20_000)
    proc.stdout!.on('data', (d: Buffer) => {
      stdout += d
      const m = LISTENING.exec(stdout)
      if (m) {
        clearTimeout(timer)
        resolve({ proc, url: m[1]!, stdout, stderr: () => stderr, output: () => stdout, exited })
      }
    })
    void exited.then((code) => reject(new Error(`server exited (${code}): ${stderr}`)))
  })
}

const data = tempDir('cp-process-')
afterAll(() => data.remove())

describe('the server process', () => {
  it('prints one listening line and, on a fresh data dir, writes the first token to a 0600 file, not to stdout', async () => {
    const dir = `${data.path}/fresh`
    const server = await startServer(dir)
    expect(server.stdout.match(/Command Post listening on/g)).toHaveLength(1)
    const file = join(dir, 'first-token.txt')
    // stdout is a pipe here, as under systemd or `> server.log`: it says where, never the token.
    expect(server.stdout).toContain(`first responder`)
    expect(server.stdout).toContain(file)
    expect(server.stdout).not.toMatch(/token=/)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const [token, link] = readFileSync(file, 'utf8').split('\n')
    expect(link).toBe(`${server.url}/#/join?token=${token}`)
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    server.proc.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    // A second start makes no new token.
    const again = await startServer(`${data.path}/fresh`)
    expect(again.stdout).not.toMatch(/token=/)
    again.proc.kill('SIGTERM')
    await again.exited
  }, 60_000)

  it('keeps every acknowledged event across SIGKILL mid-stream, exactly once', async () => {
    const dir = `${data.path}/crash`
    let server = await startServer(dir)
    const token = firstToken(dir)
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const acked = new Set<string>()
    const sent = new Map<string, unknown>()
    let killed = false

    // Four writers push 100-event batches as fast as they can until the process dies under them.
    const writer = async () => {
      while (!killed) {
        const batch = makeEvents(100)
        for (const e of batch) sent.set(e.id, e)
        try {
          const res = await fetch(`${server.url}/api/events`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ events: batch }),
          })
          const body = (await res.json()) as { accepted: string[]; duplicate: string[] }
          for (const id of [...body.accepted, ...body.duplicate]) acked.add(id)
        } catch {
          return // connection reset by the kill: this batch was never acknowledged
        }
      }
    }
    const writers = Promise.all([writer(), writer(), writer(), writer()])
    while (acked.size < 3000) await new Promise((r) => setTimeout(r, 5))
    server.proc.kill('SIGKILL')
    killed = true
    await writers
    await server.exited

    server = await startServer(dir)
    const seen = new Map<string, number>()
    let after = 0
    let seqs = 0
    for (;;) {
      const res = await fetch(`${server.url}/api/events?after=${after}&limit=1000`, { headers })
      const page = (await res.json()) as { events: { id: string; seq: number }[]; last: number; more: boolean }
      for (const e of page.events) {
        seen.set(e.id, (seen.get(e.id) ?? 0) + 1)
        expect(e.seq).toBe(++seqs) // no gap, no repeat
      }
      after = page.last
      if (!page.more) break
    }
    expect(acked.size).toBeGreaterThanOrEqual(3000)
    for (const id of acked) expect(seen.get(id), id).toBe(1)
    for (const count of seen.values()) expect(count).toBe(1)

    // Re-sending after the restart is idempotent.
    const resend = [...acked].slice(0, 10).map((id) => sent.get(id))
    const again = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ events: resend }),
    })
    expect(((await again.json()) as { duplicate: string[] }).duplicate).toHaveLength(10)
    server.proc.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  }, 60_000)

  it('shuts down on SIGTERM: open streams end, the process exits 0, data stays', async () => {
    const dir = `${data.path}/graceful`
    const server = await startServer(dir)
    const token = firstToken(dir)
    const auth = { authorization: `Bearer ${token}` }
    const events = makeEvents(3)
    const res = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    })
    expect(((await res.json()) as { accepted: string[] }).accepted).toHaveLength(3)
    const { sse } = await SseReader.open(`${server.url}/api/events/stream`, auth)
    expect((await sse.next()).id).toBe('1')

    const started = Date.now()
    server.proc.kill('SIGTERM')
    await sse.waitForEnd(5000)
    expect(await server.exited).toBe(0)
    expect(Date.now() - started).toBeLessThan(5000)

    const again = await startServer(dir)
    const page = (await (await fetch(`${again.url}/api/events`, { headers: auth })).json()) as {
      events: { id: string }[]
    }
    expect(page.events.map((e) => e.id)).toEqual(events.map((e) => e.id))
    again.proc.kill('SIGINT')
    expect(await again.exited).toBe(0)
  }, 60_000)

  it('logs no token, join link or Authorization header at any level', async () => {
    const dir = `${data.path}/logs`
    const server = await startServer(dir, { LOG_LEVEL: 'trace' })
    const token = firstToken(dir)
    const auth = { authorization: `Bearer ${token}` }
    const wrong = `Bearer ${'w'.repeat(43)}`
    const post = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ events: makeEvents(2) }),
    })
    expect(post.status).toBe(200)
    expect((await fetch(`${server.url}/api/events`, { headers: auth })).status).toBe(200)
    expect((await fetch(`${server.url}/api/events`, { headers: { authorization: wrong } })).status).toBe(401)
    expect((await fetch(`${server.url}/api/events?after=x`, { headers: auth })).status).toBe(400)
    const { sse } = await SseReader.open(`${server.url}/api/events/stream`, auth)
    expect((await sse.next()).id).toBe('1')
    await sse.cancel()
    server.proc.kill('SIGTERM')
    expect(await server.exited).toBe(0)

    const everything = server.output() + server.stderr()
    // The log did record the requests: this is not a silent logger passing by accident.
    expect(server.stderr()).toMatch(/"url":"\/api\/events"/)
    expect(everything).not.toContain(token)
    expect(everything).not.toContain('w'.repeat(43))
    expect(everything).not.toMatch(/bearer/i)
    expect(everything).not.toMatch(/authorization/i)
    expect(everything).not.toMatch(/join\?token=/)
  }, 60_000)
})
