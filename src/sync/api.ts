/**
 * The sync endpoint of CONTRACT.md §2, as typed calls. Every failure becomes a
 * `SyncError` with a typed `failure`, so the engine decides what to do from a
 * union, not from status codes scattered around. Answers are parsed with the
 * server's own wire schemas (src/domain/wire.ts).
 */
import * as v from 'valibot'
import { offsetSample } from '../domain/clock-offset'
import { describeIssue, type IncidentEvent } from '../domain/events'
import {
  ErrorMessageSchema,
  HealthAnswerSchema,
  PullPageSchema,
  PushAnswerSchema,
  type PullPage,
  type PushAnswer,
  type PushBody,
} from '../domain/wire'
import type { SyncSettings } from '../db/settings'

export type { PullPage, PushAnswer }

/**
 * An answer with what it says about the server's clock: `clockSample` is
 * `server − phone` in ms (offsetSample), null when the server sent no `now`
 * (an older server).
 */
export type Timed<T> = T & { clockSample: number | null }

export type SyncFailure =
  /** fetch() threw: no network, DNS, connection refused, or aborted mid-way. */
  | { kind: 'network' }
  | { kind: 'auth' }
  | { kind: 'too-large' }
  | { kind: 'rate-limited'; retryAfterMs: number }
  /** 5xx, 400 and anything else we did not expect: retried with backoff. */
  | { kind: 'server'; status: number; message: string }
  /**
   * A 2xx whose body is not the contract's answer (HTML from a captive portal or
   * a wrong Server URL, a field missing or of the wrong type): retried with backoff.
   */
  | { kind: 'bad-answer'; detail: string }

export class SyncError extends Error {
  constructor(readonly failure: SyncFailure) {
    super(describeFailure(failure))
    this.name = 'SyncError'
  }
}

function describeFailure(failure: SyncFailure): string {
  if (failure.kind === 'server') return `server answered ${failure.status}: ${failure.message}`
  if (failure.kind === 'bad-answer') return `unexpected answer from the server: ${failure.detail}`
  return failure.kind
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

export interface SyncApi {
  push(events: readonly IncidentEvent[]): Promise<Timed<PushAnswer>>
  /** `GET /api/health`: only asked to learn the server's clock. */
  health(): Promise<Timed<{ version: string }>>
  pull(after: number, limit: number): Promise<PullPage>
  /** The open stream's response, status already checked. */
  stream(after: number, signal: AbortSignal): Promise<Response>
}

/** '' is the app's own origin; a trailing slash is tolerated. */
export function apiUrl(serverUrl: string, path: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/api/${path}`
}

/** Retry-After as seconds or an HTTP date; 0 when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number {
  if (!header) return 0
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? 0 : Math.max(0, at - now)
}

function abortError(): Error {
  const e = new Error('aborted')
  e.name = 'AbortError'
  return e
}

async function failureOf(response: Response): Promise<SyncFailure> {
  if (response.status === 401 || response.status === 403) return { kind: 'auth' }
  if (response.status === 413) return { kind: 'too-large' }
  if (response.status === 429)
    return { kind: 'rate-limited', retryAfterMs: retryAfterMs(response.headers.get('retry-after')) }
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (a proxy's error page): the status text will do.
  }
  const parsed = v.safeParse(ErrorMessageSchema, body)
  const message = parsed.success ? parsed.output.error.message : response.statusText
  return { kind: 'server', status: response.status, message }
}

/**
 * Calls bound to one server and token. Aborting `signal` cancels every call in
 * flight (the settings changed); those reject with an AbortError, not a SyncError.
 */
export function createSyncApi(
  settings: SyncSettings,
  fetchFn: FetchLike,
  signal?: AbortSignal,
  /** This phone's own clock (ms), to time the round trips that measure the offset. */
  deviceNow: () => number = Date.now,
): SyncApi {
  const auth = { authorization: `Bearer ${settings.token}` }

  /** `answer` timed: the sample is taken against the middle of the round trip. */
  async function timed<S extends v.GenericSchema>(
    path: string,
    init: RequestInit,
    schema: S,
  ): Promise<Timed<v.InferOutput<S>>> {
    const sentAt = deviceNow()
    const response = await call(path, init)
    const receivedAt = deviceNow()
    const body = (await answer(response, schema)) as v.InferOutput<S> & { now?: number }
    const clockSample = typeof body.now === 'number' ? offsetSample(body.now, sentAt, receivedAt) : null
    return { ...body, clockSample }
  }

  async function call(path: string, init: RequestInit): Promise<Response> {
    const signals = [signal, init.signal].filter((s): s is AbortSignal => !!s)
    const combined = signals.length > 1 ? AbortSignal.any(signals) : signals[0]
    let response: Response
    try {
      response = await fetchFn(apiUrl(settings.serverUrl, path), {
        ...init,
        signal: combined,
        cache: 'no-store',
        headers: { ...auth, ...init.headers },
      })
    } catch {
      if (combined?.aborted) throw abortError()
      throw new SyncError({ kind: 'network' })
    }
    if (!response.ok) throw new SyncError(await failureOf(response))
    return response
  }

  /** The body parsed with `schema`; a body that does not match is a `bad-answer` SyncError. */
  async function answer<S extends v.GenericSchema>(response: Response, schema: S): Promise<v.InferOutput<S>> {
    let text: string
    try {
      text = await response.text()
    } catch {
      if (signal?.aborted) throw abortError()
      // The connection dropped mid-body: the network failed, not the server.
      throw new SyncError({ kind: 'network' })
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new SyncError({ kind: 'bad-answer', detail: 'not JSON' })
    }
    const result = v.safeParse(schema, body)
    if (!result.success) throw new SyncError({ kind: 'bad-answer', detail: describeIssue(result.issues[0]) })
    return result.output
  }

  return {
    push(events) {
      return timed(
        'events',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events } satisfies PushBody),
        },
        PushAnswerSchema,
      )
    },
    health() {
      return timed('health', { method: 'GET' }, HealthAnswerSchema)
    },
    async pull(after, limit) {
      const response = await call(`events?after=${after}&limit=${limit}`, { method: 'GET' })
      return answer(response, PullPageSchema)
    },
    stream(after, signal) {
      return call(`events/stream?after=${after}`, { method: 'GET', headers: { accept: 'text/event-stream' }, signal })
    },
  }
}
