/**
 * Phones get published runbooks without a redeploy: read the server's
 * catalogue (`GET /api/runbooks`, with If-None-Match), fetch each published
 * version this phone does not hold, compile it with the build's own compiler
 * (injected: this layer does not import the runbook pipeline, and the caller
 * loads it lazily) and store the pages with the new catalogue state in one
 * transaction (src/db/runbooks.ts).
 *
 * Offline or refused, nothing changes: every answer is fetched and compiled
 * before anything is written, so a network failure, a refusal or an answer
 * that is not what was asked for rejects and leaves the stored catalogue, and
 * the ETag that would skip the next check, as they were.
 */
import type { CommandPostDatabase } from '../db/database'
import { readRunbookCatalogue, saveRunbookCatalogue, type StoredRunbookVersion } from '../db/runbooks'
import { RunbookApiError, type RunbookApi } from './runbook-api'

/** A compiled version: the page the app shows, and the plain text the search index holds. Throws when it cannot compile. */
export type CompileRunbookSource = (
  source: string,
  id: string,
  version: number,
) => Promise<{ page: unknown; text: string }>

export interface RefreshRunbooksOptions {
  db: CommandPostDatabase
  api: RunbookApi
  /** The server the api talks to ('' = the app's own origin): an ETag from another server is not sent. */
  serverUrl: string
  compile: CompileRunbookSource
  now?: () => number
}

/** `changed`: ids whose published version is new on this phone; `removed`: ids the server's catalogue no longer publishes. */
export type RefreshOutcome = { kind: 'unchanged' } | { kind: 'updated'; changed: string[]; removed: string[] }

/** Versions fetched at once: a first sync of hundreds of runbooks must not open hundreds of requests. */
const PARALLEL = 4

/**
 * One refresh. Resolves with what changed; rejects with RunbookApiError (a
 * refusal, or an answer that is not the runbook asked for), fetch's own error
 * (network), or the compiler's or IndexedDB's error, having written nothing.
 */
export async function refreshRunbookCatalogue(options: RefreshRunbooksOptions): Promise<RefreshOutcome> {
  const { db, api, serverUrl } = options
  const now = options.now ?? Date.now
  const before = await readRunbookCatalogue(db)
  const sameServer = before?.serverUrl === serverUrl
  const answer = await api.catalogue(sameServer ? (before?.etag ?? undefined) : undefined)
  if (answer.notModified) return { kind: 'unchanged' }

  const published: Record<string, number> = {}
  for (const entry of answer.catalogue.runbooks) {
    if (entry.version === null) continue // proposals only: nothing for phones yet
    if (!Number.isSafeInteger(entry.version) || entry.version < 1 || Object.hasOwn(published, entry.id))
      throw new RunbookApiError(0, `the runbook catalogue names "${entry.id}" with a bad or repeated version`)
    published[entry.id] = entry.version
  }
  const wanted = Object.entries(published)
  const held = await db.runbookVersions.bulkGet(wanted.map(([id, version]): [string, number] => [id, version]))
  const missing = wanted.filter((_, i) => held[i] === undefined)

  const rows: StoredRunbookVersion[] = []
  const storedAt = new Date(now()).toISOString()
  for (let i = 0; i < missing.length; i += PARALLEL) {
    const fetched = await Promise.all(
      missing.slice(i, i + PARALLEL).map(async ([id, version]) => {
        const got = await api.version(id, version)
        if (got.id !== id || got.version !== version || got.status !== 'published')
          throw new RunbookApiError(0, `the server answered another version than ${id} version ${version}`)
        const { page, text } = await options.compile(got.source, id, version)
        return { id, version, page, text, storedAt }
      }),
    )
    rows.push(...fetched)
  }

  const previous = sameServer ? (before?.published ?? {}) : {}
  const changed = wanted.filter(([id, version]) => previous[id] !== version).map(([id]) => id)
  const removed = Object.keys(previous).filter((id) => !Object.hasOwn(published, id))
  await saveRunbookCatalogue(db, { serverUrl, etag: answer.etag, published, checkedAt: storedAt }, rows)
  return changed.length || removed.length || !sameServer ? { kind: 'updated', changed, removed } : { kind: 'unchanged' }
}

/** The part of a dedicated Worker the compiler uses (a fake in tests). */
export interface CompilerWorker {
  postMessage(message: unknown): void
  onmessage: ((event: MessageEvent) => void) | null
  onerror: ((event: ErrorEvent) => void) | null
  terminate(): void
}

/**
 * Compiles in a worker (src/runbooks/compile-worker.ts), started on the first
 * compile and ended by `close()`. A worker that fails to start or crashes
 * rejects every compile waiting on it (the refresh then writes nothing).
 */
export function workerCompiler(create: () => CompilerWorker): { compile: CompileRunbookSource; close(): void } {
  let worker: CompilerWorker | null = null
  let n = 0
  const waiting = new Map<number, { resolve(v: { page: unknown; text: string }): void; reject(e: Error): void }>()
  const failAll = (message: string) => {
    for (const w of waiting.values()) w.reject(new Error(message))
    waiting.clear()
  }
  const start = (): CompilerWorker => {
    const started = create()
    started.onmessage = ({ data }) => {
      const answer = data as { n: number; ok: boolean; page?: unknown; text?: string; message?: string }
      const w = waiting.get(answer.n)
      if (!w) return
      waiting.delete(answer.n)
      if (answer.ok && typeof answer.text === 'string') w.resolve({ page: answer.page, text: answer.text })
      else w.reject(new Error(answer.message ?? 'the runbook could not be compiled'))
    }
    started.onerror = (event) => {
      failAll(`the runbook compiler stopped: ${event.message || 'worker error'}`)
      worker?.terminate()
      worker = null
    }
    return started
  }
  return {
    compile: (source, id, version) =>
      new Promise((resolve, reject) => {
        const job = ++n
        waiting.set(job, { resolve, reject })
        try {
          worker ??= start()
          worker.postMessage({ n: job, source, id, version })
        } catch (error) {
          waiting.delete(job)
          reject(error instanceof Error ? error : new Error(String(error)))
        }
      }),
    close() {
      failAll('the runbook compiler was closed')
      worker?.terminate()
      worker = null
    },
  }
}
