/**
 * What a slow, partial or oversized request may hold: time, connections and
 * event streams. Every way out is an answer in the contract's shape
 * (`{ error: { code, message } }`), written even below Fastify (a request
 * line Node cannot parse, a request that never completes), and the socket is
 * closed the way nginx closes it: answer, stop sending, read and discard what
 * the client is still uploading for a short while, then close. Closing at
 * once would make the kernel reset a connection with unread data in it, and
 * a client still uploading would see the reset instead of the answer.
 */
import { readFileSync } from 'node:fs'
import type { IncomingMessage, ServerOptions } from 'node:http'
import type { Socket } from 'node:net'
import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { ErrorCode } from '../../src/domain/wire'
import { ApiError, errorBody } from './errors'
import { lingeringClose } from './linger'

export interface ServerLimits {
  /** A whole request (headers and body) must arrive within this, else 408 `timeout` and close. */
  requestTimeoutMs: number
  /** The request line and headers must arrive within this, else 408 `timeout` and close. */
  headersTimeoutMs: number
  /** At most this long without a byte while a body is read, else 408 `timeout` and close. */
  bodyTimeoutMs: number
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number
  /** Open connections at most; more are closed as they come (Node's `server.maxConnections`). 0: no limit. */
  maxConnections: number
  /** Open event streams per access token; more are answered 429 `too_many_streams`. 0: no limit. */
  streamsPerToken: number
  /** Open event streams per client address (the proxy's X-Forwarded-For under TRUST_PROXY). 0: no limit. */
  streamsPerAddress: number
}

/** Descriptors kept free for the database, its WAL, logs and the built app's files. */
const RESERVED_FILES = 100

/**
 * The connection cap when none is set: the process's open-files limit less
 * what the server needs besides sockets (so 924 under the usual 1,024), at most
 * 10,000. Past the open-files limit, accept() and SQLite itself start failing
 * for everyone; past this cap only new connections wait.
 */
export function defaultMaxConnections(limitsFile = '/proc/self/limits'): number {
  try {
    const soft = Number(/^Max open files\s+(\d+)/m.exec(readFileSync(limitsFile, 'utf8'))?.[1])
    if (Number.isInteger(soft) && soft > RESERVED_FILES * 2) return Math.min(10_000, soft - RESERVED_FILES)
  } catch {
    // Not Linux: the usual limit's answer.
  }
  return 1_024 - RESERVED_FILES
}

/**
 * Sized for a whole school behind one NAT address: at least 500 people, each
 * with the app open on a phone and perhaps a laptop.
 */
export const DEFAULT_LIMITS: ServerLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 10_000,
  maxConnections: 0,
  streamsPerToken: 100,
  streamsPerAddress: 1_000,
}

/** Fastify's constructor options for the limits (Node's server timeouts). */
export function serverOptions(limits: ServerLimits): {
  requestTimeout: number
  keepAliveTimeout: number
  http: ServerOptions
} {
  // Node refuses a header timeout longer than the request timeout.
  const headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs || limits.headersTimeoutMs)
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout,
      // Node looks for expired requests this often (30 s by default, which would triple a 10 s header timeout).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
      // Node answers a missing Host itself, with an empty 400; no route here needs Host, so Fastify answers.
      requireHostHeader: false,
    },
  }
}

/** Raw HTTP/1.1 answer in the contract's shape, for the places below Fastify. */
function rawAnswer(status: number, reason: string, code: ErrorCode, message: string): string {
  const body = JSON.stringify(errorBody(code, message))
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  )
}

/**
 * Node's `clientError`: a request it could not parse (400 bad_request), headers
 * too large (431 too_large), or a request not complete in time (408 timeout).
 * Answered in the contract's shape unless an answer is already under way.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  // An answer already started on this socket (a stream, a big page) cannot take another in its middle.
  const busy = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true
  if (!socket.writable || busy) {
    socket.destroy()
    return
  }
  let answer: string
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    answer = rawAnswer(408, 'Request Timeout', 'timeout', 'the request did not arrive in time; send it again')
  else if (err.code === 'HPE_HEADER_OVERFLOW')
    answer = rawAnswer(431, 'Request Header Fields Too Large', 'too_large', 'the request headers are too large')
  else answer = rawAnswer(400, 'Bad Request', 'bad_request', 'the request is not valid HTTP/1.1')
  socket.write(answer)
  lingeringClose(socket)
}

function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers['content-length']
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/**
 * Hooks every route: GET and HEAD with a body are refused (400, before any
 * handler, so the event stream is never opened for one), and a body that
 * stops arriving for `bodyTimeoutMs` is answered 408 `timeout`.
 */
export function registerRequestLimits(app: FastifyInstance, limits: ServerLimits): void {
  app.addHook('onRequest', async (request) => {
    if ((request.method === 'GET' || request.method === 'HEAD') && hasBody(request.raw))
      throw new ApiError(400, 'bad_request', `a ${request.method} request carries no body`)
  })
  if (limits.bodyTimeoutMs <= 0) return
  app.addHook('preParsing', async (request, reply, payload) => {
    if (!hasBody(request.raw)) return payload
    // The body passes through a stream of our own: destroying it with the 408 stops the body
    // parser, while the connection stays open for the answer.
    const watched = new PassThrough()
    const timeout = () =>
      watched.destroy(
        new ApiError(408, 'timeout', `no part of the body arrived for ${limits.bodyTimeoutMs / 1000} s; send it again`),
      )
    let timer = setTimeout(timeout, limits.bodyTimeoutMs)
    const stop = () => clearTimeout(timer)
    payload.on('data', () => {
      clearTimeout(timer)
      timer = setTimeout(timeout, limits.bodyTimeoutMs)
    })
    payload.on('end', stop)
    payload.on('close', stop)
    watched.on('close', stop)
    // Answered without reading the body (too large by its Content-Length): nothing left to time.
    reply.raw.on('close', stop)
    watched.on('error', stop)
    payload.pipe(watched)
    return watched
  })
}

/**
 * Counts open event streams per token and per address; `open` refuses the
 * stream (429 too_many_streams, Retry-After 30 s) past either limit.
 */
export class StreamLimits {
  private readonly byToken = new Map<number, number>()
  private readonly byAddress = new Map<string, number>()

  constructor(private readonly limits: Pick<ServerLimits, 'streamsPerToken' | 'streamsPerAddress'>) {}

  /** Claims a stream; returns the release function, or throws the 429 ApiError. */
  open(tokenId: number, address: string): () => void {
    const { streamsPerToken, streamsPerAddress } = this.limits
    const tokenCount = this.byToken.get(tokenId) ?? 0
    const addressCount = this.byAddress.get(address) ?? 0
    if (streamsPerToken > 0 && tokenCount >= streamsPerToken)
      throw new StreamLimitError(`this access token already has ${tokenCount} open streams`)
    if (streamsPerAddress > 0 && addressCount >= streamsPerAddress)
      throw new StreamLimitError(`this address already has ${addressCount} open streams`)
    this.byToken.set(tokenId, tokenCount + 1)
    this.byAddress.set(address, addressCount + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      decrement(this.byToken, tokenId)
      decrement(this.byAddress, address)
    }
  }
}

/** Seconds a client refused a stream waits before trying again. */
export const STREAM_RETRY_AFTER_S = 30

export class StreamLimitError extends ApiError {
  readonly retryAfter = STREAM_RETRY_AFTER_S
  constructor(message: string) {
    super(429, 'too_many_streams', `${message}; close one or retry in ${STREAM_RETRY_AFTER_S} s`)
  }
}

function decrement<K>(map: Map<K, number>, key: K): void {
  const n = (map.get(key) ?? 1) - 1
  if (n <= 0) map.delete(key)
  else map.set(key, n)
}
