/**
 * GET /api/events/stream: server-sent events, `id: <seq>` and `data: <event>`.
 * Resumes after Last-Event-ID (a reconnecting EventSource) or ?after.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { singleFlight } from '../../src/domain/single-flight'
import type { StreamHub, Subscriber } from '../events/hub'
import type { TokenService } from '../auth/tokens'
import type { EventStore } from '../store/types'
import { StreamQuerySchema, StreamResumeSchema } from '../../src/domain/wire'
import { SharedPages } from '../events/pages'
import { FOLLOW_PAGE, type LogReader } from '../events/shared-reads'
import type { StreamLimits } from '../http/limits'
import { ERROR_RESPONSES, parseRequestPart, type ValibotTypeProvider } from '../http/valibot'
import { checkCursor } from './events'

export interface StreamOptions {
  store: EventStore
  hub: StreamHub
  tokens: TokenService
  /** Comment line sent this often so proxies and phones keep the connection. */
  heartbeatMs: number
  /** How often open streams check their token was not revoked by the CLI (another process). */
  tokenRecheckMs: number
  /** Open streams per token and per address; past them a stream is refused 429 before it opens. */
  limits: StreamLimits
  /** Where streams read the log: the node's SharedReads (one read per push for all its followers); default the store. */
  log?: LogReader
}

export async function streamRoutes(app: FastifyInstance, options: StreamOptions): Promise<void> {
  const { store, hub, tokens } = options
  const pages = new SharedPages(options.log ?? store, FOLLOW_PAGE)
  const offGrow = hub.onGrow(() => pages.grew())

  // Never compressed: a compressor would hold messages back until its buffer filled (http/compress.ts).
  const route = { schema: { querystring: StreamQuerySchema, response: ERROR_RESPONSES }, compress: false as const }
  app.withTypeProvider<ValibotTypeProvider>().get('/api/events/stream', route, async (request, reply) => {
    const lastEventId = request.headers['last-event-id']
    // Last-Event-ID wins: a reconnecting EventSource repeats the original ?after.
    const after = lastEventId !== undefined ? parseRequestPart(StreamResumeSchema, lastEventId) : request.query.after
    // Answered as a plain 409 before the stream opens, like a pull from an unknown cursor.
    if (lastEventId === undefined) await checkCursor(store, after, request.query.afterId)
    // Refused while the answer can still be a JSON error: after hijack() only the stream can be sent.
    const release = options.limits.open(request.token!.id, request.ip)

    reply.hijack()
    // hijack() skips fastify's send path: copy the security and CORS headers set in onRequest.
    const headers = reply.getHeaders() as OutgoingHttpHeaders
    reply.raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx: pass each message on at once instead of buffering the response.
      'x-accel-buffering': 'no',
    })
    reply.raw.write(': connected\n\n')
    const session = new SseSession(reply.raw, pages, request.token!.id, after, options.heartbeatMs)
    session.onClose(release)
    session.onClose(hub.add(session))
    // A client gone before the stream opened never emits 'close' again: release its place now.
    if (reply.raw.destroyed) session.close()
    session.catchUp()
  })

  // Revocation in this process closes streams at once; the CLI's, at the next check.
  const onRevoked = (id: number) => hub.closeToken(id)
  tokens.events.on('revoked', onRevoked)
  const recheck = setInterval(() => {
    for (const id of hub.tokenIds()) {
      void tokens.isActive(id).then(
        (active) => {
          if (!active) hub.closeToken(id)
        },
        () => {},
      )
    }
  }, options.tokenRecheckMs)
  recheck.unref()

  // Open streams would keep close() waiting forever.
  app.addHook('preClose', async () => {
    clearInterval(recheck)
    offGrow()
    tokens.events.off('revoked', onRevoked)
    hub.closeAll()
  })
}

class SseSession implements Subscriber {
  /** One catch-up at a time on this socket; a notify meanwhile runs one more after it. */
  private readonly pump = singleFlight(() => this.sendAfterCursor())
  private closed = false
  private readonly heartbeat: NodeJS.Timeout
  private readonly closeListeners: (() => void)[] = []

  constructor(
    private readonly raw: ServerResponse,
    private readonly pages: SharedPages,
    readonly tokenId: number,
    private cursor: number,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => this.raw.write(': heartbeat\n\n'), heartbeatMs)
    raw.on('close', () => this.close())
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener)
  }

  notify(lastSeq: number): void {
    if (lastSeq > this.cursor) this.catchUp()
  }

  /**
   * A named message without `id:` (the cursor does not move) whose data is
   * not JSON on purpose: clients older than the notice parse every message's
   * data as an event and skip what does not parse, so they ignore it.
   * Written whole in one write, so it never splits a page of events.
   */
  notice(name: string, data: string): void {
    if (this.closed || /[\r\n]/.test(name + data)) return
    this.raw.write(`event: ${name}\ndata: ${data}\n\n`)
  }

  /** Send everything after the cursor, now or after the catch-up under way. */
  catchUp(): void {
    void this.pump.run()
  }

  /** Never throws: a failed read or write ends the session. */
  private async sendAfterCursor(): Promise<void> {
    if (this.closed) return
    try {
      let page
      do {
        page = await this.pages.read(this.cursor)
        if (this.closed || page.lastSeq === undefined) break
        this.cursor = page.lastSeq
        // Back-pressure: a slow phone holds one page in memory, not the whole log.
        if (!this.raw.write(page.chunk)) await drained(this.raw)
      } while (page.more && !this.closed)
    } catch {
      this.close()
    }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    clearInterval(this.heartbeat)
    if (!this.raw.writableEnded) this.raw.end()
    for (const listener of this.closeListeners) listener()
  }
}

function drained(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done)
      raw.off('close', done)
      resolve()
    }
    raw.on('drain', done)
    raw.on('close', done)
  })
}
