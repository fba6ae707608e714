/** Helpers for the server's tests: an app on a memory store, a temp dist, an SSE reader. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
  data?: string
  comment?: string
}

/** Reads an event stream message by message; `next` waits up to `timeoutMs`. */
export class SseReader {
  private buffer = ''
  private readonly queue: SseMessage[] = []
  private waiting: (() => void) | undefined
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
    try {
      for (;;) {
        const { value, done } = await this.reader.read()
        if (done) break
        this.buffer += decoder.decode(value, { stream: true })
        let end
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end)
          this.buffer = this.buffer.slice(end + 2)
          const msg: SseMessage = {}
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) msg.comment = line.slice(1).trim()
            else if (line.startsWith('id: ')) msg.id = line.slice(4)
            else if (line.startsWith('data: ')) msg.data = line.slice(6)
          }
          this.queue.push(msg)
        }
        this.waiting?.()
      }
    } catch {
      // aborted: treated as the end of the stream
    }
    this.ended = true
    this.waiting?.()
  }

  /** The next message that carries data (comments skipped unless `comments`). */
  async next(timeoutMs = 3000, comments = false): Promise<SseMessage> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.queue.findIndex((m) => comments || m.data !== undefined)
      if (i >= 0) return this.queue.splice(0, i + 1).at(-1)!
      if (this.ended) throw new Error('stream ended')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for an SSE message')
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiting = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Resolves when the server ends the stream. */
  async waitForEnd(timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('stream still open')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel().catch(() => {})
  }
}
