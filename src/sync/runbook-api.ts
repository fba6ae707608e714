/**
 * The server's runbook API (docs/CONTRACT-EXTENSIONS.md, "Runbooks on the
 * server") as typed calls, for the editor and the phones' catalogue sync.
 * Answers are parsed with the server's own schemas (src/domain/runbook-wire.ts).
 * A refusal rejects with RunbookApiError carrying the server's status, code and
 * message (the message says what to do, so it is meant to be shown); a network
 * failure rejects with fetch's own error.
 */
import * as v from 'valibot'
import {
  RunbookCatalogueSchema,
  RunbookDiffSchema,
  RunbookHistorySchema,
  RunbookVersionSchema,
  type RunbookCatalogue,
  type RunbookDiff,
  type RunbookHistory,
  type RunbookVersion,
} from '../domain/runbook-wire'
import { ErrorMessageSchema } from '../domain/wire'
import { apiUrl, type FetchLike } from './api'

export type { RunbookCatalogue, RunbookDiff, RunbookHistory, RunbookVersion }

/** A refused or unreadable answer: `status` (0 when the body was not the expected shape), `code` when the server sent one. */
export class RunbookApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'RunbookApiError'
  }
}

/** The catalogue with its ETag, or `notModified` when `If-None-Match` matched (nothing to download). */
export type CatalogueAnswer =
  { notModified: false; catalogue: RunbookCatalogue; etag: string | null } | { notModified: true }

export interface RunbookApi {
  /** `GET /api/runbooks`; with `etag`, a 304 answers `{ notModified: true }` without a body. */
  catalogue(etag?: string): Promise<CatalogueAnswer>
  history(id: string): Promise<RunbookHistory>
  version(id: string, version: number): Promise<RunbookVersion>
  diff(id: string, from: number, to: number): Promise<RunbookDiff>
  /**
   * A new runbook, its version 1 a proposal. `proposalId`: the proposal's idempotency key
   * (8–64 of `A-Z a-z 0-9 _ -`); sent again with the same key, the server answers the version
   * it stored the first time instead of storing another.
   */
  create(id: string, source: string, note?: string, proposalId?: string): Promise<RunbookVersion>
  /** A proposal edited from `baseVersion` (default: the published version); `proposalId` as for `create`. */
  propose(
    id: string,
    source: string,
    options?: { note?: string; baseVersion?: number; proposalId?: string },
  ): Promise<RunbookVersion>
  publish(id: string, version: number): Promise<RunbookVersion>
  /** A new proposal with `version`'s source. */
  restore(id: string, version: number, note?: string): Promise<RunbookVersion>
}

/** Calls bound to one server (`serverUrl`, '' for the app's own origin) and token. */
export function createRunbookApi(settings: { serverUrl: string; token: string }, fetchFn: FetchLike): RunbookApi {
  const headers = { authorization: `Bearer ${settings.token}` }
  const path = (id: string, rest = '') => `runbooks/${encodeURIComponent(id)}${rest}`

  async function call<S extends v.GenericSchema>(
    route: string,
    schema: S,
    init: RequestInit = {},
  ): Promise<{ body: v.InferOutput<S>; response: Response }> {
    const response = await fetchFn(apiUrl(settings.serverUrl, route), {
      ...init,
      headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    })
    let json: unknown = null
    try {
      json = await response.json()
    } catch {
      // not JSON: judged below
    }
    if (!response.ok) {
      const error = v.safeParse(ErrorMessageSchema, json)
      throw error.success
        ? new RunbookApiError(response.status, error.output.error.message, error.output.error.code)
        : new RunbookApiError(response.status, response.statusText || `the server answered ${response.status}`)
    }
    const parsed = v.safeParse(schema, json)
    if (!parsed.success) throw new RunbookApiError(0, 'the server’s answer is not a runbook answer')
    return { body: parsed.output, response }
  }
  const post = <S extends v.GenericSchema>(route: string, schema: S, body: unknown) =>
    call(route, schema, { method: 'POST', body: JSON.stringify(body) }).then((a) => a.body)

  return {
    async catalogue(etag) {
      if (etag) {
        const response = await fetchFn(apiUrl(settings.serverUrl, 'runbooks'), {
          headers: { ...headers, 'if-none-match': etag },
        })
        if (response.status === 304) return { notModified: true }
        const parsed = v.safeParse(RunbookCatalogueSchema, await response.json().catch(() => null))
        if (response.ok && parsed.success)
          return { notModified: false, catalogue: parsed.output, etag: response.headers.get('etag') }
        throw new RunbookApiError(response.ok ? 0 : response.status, 'the runbook catalogue could not be read')
      }
      const { body, response } = await call('runbooks', RunbookCatalogueSchema)
      return { notModified: false, catalogue: body, etag: response.headers.get('etag') }
    },
    history: (id) => call(path(id, '/versions'), RunbookHistorySchema).then((a) => a.body),
    version: (id, version) => call(path(id, `/versions/${version}`), RunbookVersionSchema).then((a) => a.body),
    diff: (id, from, to) => call(path(id, `/diff?from=${from}&to=${to}`), RunbookDiffSchema).then((a) => a.body),
    create: (id, source, note, proposalId) =>
      post('runbooks', RunbookVersionSchema, {
        id,
        source,
        ...(note ? { note } : {}),
        ...(proposalId ? { proposalId } : {}),
      }),
    propose: (id, source, options = {}) => post(path(id, '/versions'), RunbookVersionSchema, { source, ...options }),
    publish: (id, version) => post(path(id, `/versions/${version}/publish`), RunbookVersionSchema, {}),
    restore: (id, version, note) =>
      post(path(id, '/restore'), RunbookVersionSchema, { version, ...(note ? { note } : {}) }),
  }
}
