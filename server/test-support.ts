/** Helpers for the server's tests: an app on a memory store, the apps a test file opens, a temp dist, an SSE reader. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createParser } from 'eventsource-parser'
import type { FastifyInstance } from 'fastify'
import type { AppOptions } from './app'
import { buildApp } from './app'
import { TokenService } from './auth/tokens'
import { openSqliteStore } from './store/sqlite'
import type { Store } from './store/types'

export interface TestApp {
  app: FastifyInstance
  store: Store
  tokens: TokenService
  /** A valid token, and the Authorization header carrying it. */
  token: string
  auth: { authorization: string }
  close(): Promise<void>
}

export async function createTestApp(options: Partial<AppOptions> & { dataDir?: string } = {}): Promise<TestApp> {
  const store = options.store ?? openSqliteStore(options.dataDir ?? ':memory:')
  const tokens = options.tokens ?? new TokenService(store)
  const { token } = await tokens.issue('Tester')
  // Every answer a test provokes is checked against its wire schema.
  const app = await buildApp({ version: '0.0.0-test', checkResponses: true, ...options, store, tokens })
  await app.ready()
  return {
    app,
    store,
    tokens,
    token,
    auth: { authorization: `Bearer ${token}` },
    close: async () => {
      await app.close()
      await store.close()
    },
  }
}

/** A test app listening on 127.0.0.1 at a free port. */
/**
 * fetch() answered by `app` in memory (Fastify's inject), for client code
 * tested against the real routes: method, url, headers and a string body go
 * in; the answer is a Response with the same status, headers and body (none
 * on a 304, as the Fetch standard requires).
 */
export function injectFetch(
  app: FastifyInstance,
): (input: string, init?: { method?: string; headers?: unknown; body?: unknown }) => Promise<Response> {
  return async (input, init = {}) => {
    const res = await app.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url: input,
      headers: init.headers as Record<string, string>,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    })
    return new Response(res.statusCode === 304 ? null : res.body, {
      status: res.statusCode,
      headers: res.headers as Record<string, string>,
    })
  }
}

export interface LiveApp extends TestApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  port: number
}

/**
 * The apps and event streams one test file opens, all closed by `closeAll()`
 * (register it: `afterEach(() => apps.closeAll())`): readers first, so each
 * stream has ended before its server closes. `defaults` are the options of
 * every app, under each call's own; streams tests want a long heartbeat
 * (`heartbeatMs: 60_000`) so none arrives between the messages they expect.
 */
export class TestApps {
  /** Every reader opened or adopted so far, oldest first, until `closeAll()`. */
  readonly readers: SseReader[] = []
  private readonly apps: TestApp[] = []

  constructor(private readonly defaults: Partial<AppOptions> = {}) {}

  /** An app answering `inject` (not listening), closed after the test. */
  async app(options: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
    const t = await createTestApp({ ...this.defaults, ...options })
    this.apps.push(t)
    return t
  }

  /** An app listening on 127.0.0.1 at a free port, for fetch, raw sockets and streams. */
  async live(options: Parameters<typeof createTestApp>[0] = {}): Promise<LiveApp> {
    const t = await this.app(options)
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' })
    return { ...t, url, port: Number(new URL(url).port) }
  }

  /** Opens a live app's event stream (`query` after the path) with its token and `headers`. */
  async stream(
    t: LiveApp,
    query = '',
    headers: Record<string, string> = {},
  ): Promise<{ response: Response; sse: SseReader }> {
    const opened = await SseReader.open(`${t.url}/api/events/stream${query}`, { ...t.auth, ...headers })
    this.readers.push(opened.sse)
    return opened
  }

  /** Cancels `sse` with the others after the test; returns it. */
  adopt(sse: SseReader): SseReader {
    this.readers.push(sse)
    return sse
  }

  /** Closes one app now (a test of shutdown) and forgets it; its readers stay for `closeAll()`. */
  async close(t: TestApp): Promise<void> {
    const i = this.apps.findIndex((a) => a.app === t.app)
    if (i >= 0) this.apps.splice(i, 1)
    await t.close()
  }

  /** Cancels every reader, then closes every app (and its store). */
  async closeAll(): Promise<void> {
    for (const r of this.readers.splice(0)) await r.cancel()
    for (const t of this.apps.splice(0)) await t.close()
  }
}

export function tempDir(prefix = 'cp-server-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** A stand-in for `vite build` output. */
export function fakeDist(dir: string): string {
  mkdirSync(join(dir, 'assets'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Command Post</title><div id="app"></div>')
  writeFileSync(join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})')
  writeFileSync(join(dir, 'manifest.webmanifest'), '{"name":"Command Post"}')
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\n')
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
  return dir
}

export interface SseMessage {
  id?: string
  /** The `event:` name of a named message (a notice such as `runbooks`); absent on events. */
  event?: string
  data?: string
  comment?: string
}

/**
 * Reads an event stream message by message, with the app's SSE parser
 * (eventsource-parser). Waits are on the stream itself: without a
 * `timeoutMs`, only the test's own timeout bounds them, so a busy machine
 * makes a test slower, not red.
 */
export class SseReader {
  private readonly queue: SseMessage[] = []
  private wake: (() => void) | undefined
  ended = false

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {
    void this.read()
  }

  static async open(url: string, headers: Record<string, string>): Promise<{ response: Response; sse: SseReader }> {
    const response = await fetch(url, { headers })
    if (!response.body) throw new Error('no body')
    return { response, sse: new SseReader(response.body.getReader()) }
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder()
    const parser = createParser({
      onEvent: (event) =>
        this.queue.push({ id: event.id, data: event.data, ...(event.event ? { event: event.event } : {}) }),
      onComment: (comment) => this.queue.push({ comment: comment.trim() }),
    })
    try {
      for (;;) {
        const { value, done } = await this.reader.read()
        if (done) break
        parser.feed(decoder.decode(value, { stream: true }))
        this.signal()
      }
    } catch {
      // aborted: treated as the end of the stream
    }
    this.ended = true
    this.signal()
  }

  private signal(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  /** Resolves on the next message or the end, or after `deadline` (ms since the epoch). */
  private changed(deadline: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = deadline === undefined ? undefined : setTimeout(resolve, Math.max(0, deadline - Date.now()))
      this.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  /** The next message that carries data (comments skipped unless `comments`); rejects past `timeoutMs` if given. */
  async next(timeoutMs?: number, comments = false): Promise<SseMessage> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs
    for (;;) {
      const i = this.queue.findIndex((m) => comments || m.data !== undefined)
      if (i >= 0) return this.queue.splice(0, i + 1).at(-1)!
      if (this.ended) throw new Error('stream ended')
      if (deadline !== undefined && Date.now() >= deadline) throw new Error('timed out waiting for an SSE message')
      await this.changed(deadline)
    }
  }

  /** Resolves when the server ends the stream; rejects past `timeoutMs` if given. */
  async waitForEnd(timeoutMs?: number): Promise<void> {
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs
    while (!this.ended) {
      if (deadline !== undefined && Date.now() >= deadline) throw new Error('stream still open')
      await this.changed(deadline)
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel().catch(() => {})
  }
}

export interface RawAnswer {
  /** Everything the server sent, as text. */
  text: string
  /** The status of the first answer, or undefined when none came. */
  status: number | undefined
  /** The JSON body of the first answer, when it had one. */
  body: unknown
  /** How the connection ended: closed by the server, or reset. */
  ended: 'closed' | 'reset'
}

/**
 * Sends raw bytes to a listening server and collects what comes back until
 * the server closes the connection (or `untilAnswer`: until one whole answer
 * arrived). With `upload`, that many more bytes follow the request while the
 * answer is left unread, as a client busy uploading does; reading starts once
 * the upload is done or refused.
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  options: { upload?: number; untilAnswer?: boolean } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let reset = false
    let settled = false
    const finish = () => {
      if (settled) return
      settled = true
      socket.destroy()
      const text = Buffer.concat(chunks).toString('utf8')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]
      const split = text.indexOf('\r\n\r\n')
      let body: unknown
      try {
        body = split >= 0 ? JSON.parse(firstBody(text.slice(0, split), text.slice(split + 4))) : undefined
      } catch {
        body = undefined
      }
      resolve({ text, status: status ? Number(status) : undefined, body, ended: reset ? 'reset' : 'closed' })
    }
    socket.on('data', (d: Buffer) => {
      chunks.push(d)
      if (options.untilAnswer && hasWholeAnswer(Buffer.concat(chunks).toString('utf8'))) finish()
    })
    socket.on('error', () => {
      reset = true
    })
    socket.on('close', finish)
    if (options.upload) socket.pause()
    socket.write(request)
    let left = options.upload ?? 0
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const pump = () => {
      while (left > 0 && !socket.destroyed) {
        left -= chunk.length
        if (!socket.write(chunk)) {
          socket.once('drain', pump)
          return
        }
      }
      socket.resume()
    }
    socket.on('error', () => socket.resume())
    if (options.upload) pump()
  })
}

function firstBody(head: string, rest: string): string {
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1]
  return length === undefined ? rest : Buffer.from(rest).subarray(0, Number(length)).toString('utf8')
}

function hasWholeAnswer(text: string): boolean {
  const split = text.indexOf('\r\n\r\n')
  if (split < 0) return false
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split))?.[1]
  return length !== undefined && Buffer.byteLength(text.slice(split + 4)) >= Number(length)
}
