/**
 * The sync endpoint of CONTRACT.md §2, as typed calls. Every failure becomes a
 * `SyncError` with a typed `failure`, so the engine decides what to do from a
 * union, not from status codes scattered around.
 */
import type { IncidentEvent } from '../domain/events'
import type { SyncSettings } from '../db/settings'

/** An event as the server sends it: ours plus its arrival order. */
export type RemoteEvent = IncidentEvent & { seq: number }

export interface PushAnswer {
  accepted: string[]
  duplicate: string[]
  rejected: { id: string; reason: string }[]
}

export interface PullPage {
  events: RemoteEvent[]
  last: number
  more: boolean
}

export type SyncFailure =
  /** fetch() threw: no network, DNS, connection refused, or aborted mid-way. */
  | { kind: 'network' }
  | { kind: 'auth' }
  | { kind: 'too-large' }
  | { kind: 'rate-limited'; retryAfterMs: number }
  /** 5xx, 400 and anything else we did not expect: retried with backoff. */
  | { kind: 'server'; status: number; message: string }

export class SyncError extends Error {
  constructor(readonly failure: SyncFailure) {
    super(failure.kind === 'server' ? `server answered ${failure.status}: ${failure.message}` : failure.kind)
    this.name = 'SyncError'
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

export interface SyncApi {
  push(events: readonly IncidentEvent[]): Promise<PushAnswer>
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
  let message = response.statusText
  try {
    const body = (await response.json()) as { error?: { message?: unknown } }
    if (typeof body.error?.message === 'string') message = body.error.message
  } catch {
    // Not JSON (a proxy's error page): the status text will do.
  }
  return { kind: 'server', status: response.status, message }
}

/**
 * Calls bound to one server and token. Aborting `signal` cancels every call in
 * flight (the settings changed); those reject with an AbortError, not a SyncError.
 */
export function createSyncApi(settings: SyncSettings, fetchFn: FetchLike, signal?: AbortSignal): SyncApi {
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

  async function json<T>(response: Response): Promise<T> {
    try {
      return (await response.json()) as T
    } catch {
      // A captive portal or a half-read body: treat as the network failing.
      throw new SyncError({ kind: 'network' })
    }
  }

  return {
    async push(events) {
      const response = await call('events', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      })
      const answer = await json<Partial<PushAnswer>>(response)
      return {
        accepted: Array.isArray(answer.accepted) ? answer.accepted : [],
        duplicate: Array.isArray(answer.duplicate) ? answer.duplicate : [],
        rejected: Array.isArray(answer.rejected) ? answer.rejected : [],
      }
    },
    async pull(after, limit) {
      const response = await call(`events?after=${after}&limit=${limit}`, { method: 'GET' })
      const page = await json<Partial<PullPage>>(response)
      const events = Array.isArray(page.events) ? page.events : []
      const last = typeof page.last === 'number' ? page.last : Math.max(after, ...events.map((e) => e.seq))
      return { events, last, more: page.more === true }
    },
    stream(after, signal) {
      return call(`events/stream?after=${after}`, { method: 'GET', headers: { accept: 'text/event-stream' }, signal })
    },
  }
}
