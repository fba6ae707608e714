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
  IncidentEventsSchema,
  PullPageSchema,
  SummaryPageSchema,
  PushAnswerSchema,
  type IncidentEventsAnswer,
  type PullPage,
  type PushAnswer,
  type PushBody,
  type SummaryPage,
} from '../domain/wire'
import type { SyncSettings } from '../db/settings'

export type { IncidentEventsAnswer, PullPage, PushAnswer, SummaryPage }

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
  /** 403 `read_only`: this token may pull and stream but not push. Pulling goes on; pushing waits. */
  | { kind: 'read-only' }
  /** 401 `wiped`: the admin revoked this token with a wipe; the phone deletes its data. */
  | { kind: 'wiped' }
  | { kind: 'too-large' }
  | { kind: 'rate-limited'; retryAfterMs: number }
  /** 429 `quota_exceeded`: this token's or the server's storage for the day is used up; nothing was stored. */
  | { kind: 'quota'; retryAfterMs: number }
  /** 507 `storage_full`: the server's disk is full or read-only; nothing was stored. */
  | { kind: 'server-storage'; retryAfterMs: number }
  /**
   * 5xx, 400 and anything else we did not expect: retried with backoff. `code`
   * is the error body's, when it had one (409 `cursor_unknown` starts a recovery: ./recovery.ts).
   * `retryAfterMs`: the answer's Retry-After (a 503 in maintenance), when it had one; never sooner than that.
   */
  | { kind: 'server'; status: number; message: string; code?: string; retryAfterMs?: number }
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
  /** `afterId`: the id of the event held at `after`, so a server with another history answers 409 cursor_unknown. */
  pull(after: number, limit: number, afterId?: string): Promise<PullPage>
  /** The open stream's response, status already checked. */
  stream(after: number, signal: AbortSignal, afterId?: string): Promise<Response>
  /**
   * `GET /api/summaries` (scoped sync): overviews of incidents changed after seq `after`.
   * An older server answers 404: a SyncError of kind `server`, status 404.
   */
  summaries(after: number, limit: number): Promise<SummaryPage>
  /** `GET /api/incidents/:id/events`: every event of one incident (unvalidated, as for a pull page). */
  incidentEvents(incidentId: string): Promise<IncidentEventsAnswer>
}

/** The server does not hold this phone's cursor event: its history was replaced (a restored backup). */
export function isCursorUnknown(e: unknown): boolean {
  return e instanceof SyncError && e.failure.kind === 'server' && e.failure.code === 'cursor_unknown'
}

/** `&afterId=…` when there is one to send. */
function afterIdParam(afterId: string | undefined): string {
  return afterId ? `&afterId=${encodeURIComponent(afterId)}` : ''
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

/** The `code` of an error body, whatever it is; undefined when the body is not the contract's. */
const ErrorCodeOnlySchema = v.object({ error: v.object({ code: v.string() }) })
/** The `code` of an error answer, or null when the body is not the contract's error. */
async function errorCode(response: Response): Promise<string | null> {
  try {
    const parsed = v.safeParse(ErrorCodeOnlySchema, await response.json())
    return parsed.success ? parsed.output.error.code : null
  } catch {
    return null
  }
}

async function failureOf(response: Response): Promise<SyncFailure> {
  if (response.status === 401 || response.status === 403) {
    const code = await errorCode(response)
    if (response.status === 403 && code === 'read_only') return { kind: 'read-only' }
    if (code === 'wiped') return { kind: 'wiped' }
    return { kind: 'auth' }
  }
  if (response.status === 413) return { kind: 'too-large' }
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // Not JSON (a proxy's error page): the status text will do.
  }
  const wait = retryAfterMs(response.headers.get('retry-after'))
  const coded = v.safeParse(ErrorCodeOnlySchema, body)
  if (response.status === 429) {
    const quota = coded.success && coded.output.error.code === 'quota_exceeded'
    return { kind: quota ? 'quota' : 'rate-limited', retryAfterMs: wait }
  }
  // 507 Insufficient Storage is what the server answers for a full or read-only disk, whatever proxy is between.
  if (response.status === 507 || (coded.success && coded.output.error.code === 'storage_full'))
    return { kind: 'server-storage', retryAfterMs: wait }
  const parsed = v.safeParse(ErrorMessageSchema, body)
  const message = parsed.success ? parsed.output.error.message : response.statusText
  const code = parsed.success ? parsed.output.error.code : undefined
  return {
    kind: 'server',
    status: response.status,
    message,
    ...(code ? { code } : {}),
    ...(wait ? { retryAfterMs: wait } : {}),
  }
}

/** One server and token's authenticated calls, shared by the sync API and the admin API (./admin-api.ts). */
export interface ApiCaller {
  /** The response to `path` (under /api/), status checked: a failure rejects with a SyncError. */
  call: (path: string, init: RequestInit) => Promise<Response>
  /** The body parsed with `schema`; a body that does not match is a `bad-answer` SyncError. */
  answer: <S extends v.GenericSchema>(response: Response, schema: S) => Promise<v.InferOutput<S>>
}

/**
 * Calls to one server with one token. Aborting `signal` cancels every call in flight;
 * those reject with an AbortError, not a SyncError.
 */
export function createApiCaller(settings: SyncSettings, fetchFn: FetchLike, signal?: AbortSignal): ApiCaller {
  const auth = { authorization: `Bearer ${settings.token}` }

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

  return { call, answer }
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
  const { call, answer } = createApiCaller(settings, fetchFn, signal)

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
    async pull(after, limit, afterId) {
      const response = await call(`events?after=${after}${afterIdParam(afterId)}&limit=${limit}`, { method: 'GET' })
      return answer(response, PullPageSchema)
    },
    async summaries(after, limit) {
      return answer(await call(`summaries?after=${after}&limit=${limit}`, { method: 'GET' }), SummaryPageSchema)
    },
    async incidentEvents(incidentId) {
      const response = await call(`incidents/${encodeURIComponent(incidentId)}/events`, { method: 'GET' })
      return answer(response, IncidentEventsSchema)
    },
    stream(after, signal, afterId) {
      return call(`events/stream?after=${after}${afterIdParam(afterId)}`, {
        method: 'GET',
        headers: { accept: 'text/event-stream' },
        signal,
      })
    },
  }
}
