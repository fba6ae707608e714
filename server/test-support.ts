/** Helpers for the server's tests: an app on a memory store, a temp dist, an SSE reader. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
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
      onEvent: (event) => this.queue.push({ id: event.id, data: event.data }),
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
