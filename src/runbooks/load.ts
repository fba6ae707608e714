/**
 * Fetches one compiled runbook (`runbooks/<id>.json` under the app's base URL).
 * The files are in the service worker's precache, so this works offline once
 * the app has been installed or visited after the deploy that added them.
 */
import { isRunbookId } from './ids'
import type { RunbookPage } from './types'

/** Why a runbook could not be shown: not-found (no such runbook, or a bad id) or offline (not cached, no network). */
export type RunbookLoadFailure = 'not-found' | 'offline'

export class RunbookLoadError extends Error {
  readonly reason: RunbookLoadFailure
  readonly id: string

  constructor(id: string, reason: RunbookLoadFailure, message: string) {
    super(message)
    this.name = 'RunbookLoadError'
    this.id = id
    this.reason = reason
  }
}

export interface LoadRunbookOptions {
  /** Injected in tests; the global fetch (through the service worker) otherwise. */
  fetch?: typeof fetch
  signal?: AbortSignal
}

export function runbookUrl(id: string): string {
  return `${import.meta.env.BASE_URL}runbooks/${id.split('/').map(encodeURIComponent).join('/')}.json`
}

export async function loadRunbook(id: string, options: LoadRunbookOptions = {}): Promise<RunbookPage> {
  // Checked before fetching: ids come from URLs, and `..` must not reach other files.
  if (!isRunbookId(id)) throw new RunbookLoadError(id, 'not-found', `"${id}" is not a runbook id`)
  const doFetch = options.fetch ?? fetch
  let response: Response
  try {
    response = await doFetch(runbookUrl(id), { signal: options.signal, headers: { Accept: 'application/json' } })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new RunbookLoadError(id, 'offline', `runbook "${id}" is not available offline and the network is unreachable`)
  }
  if (!response.ok) {
    // A 5xx or 504 from a proxy means we could not reach the real file; 404 means it does not exist.
    const reason: RunbookLoadFailure = response.status === 404 || response.status === 410 ? 'not-found' : 'offline'
    throw new RunbookLoadError(id, reason, `runbook "${id}" could not be loaded (HTTP ${response.status})`)
  }
  let page: unknown
  try {
    page = await response.json()
  } catch {
    // A server answering unknown paths with index.html (SPA fallback) lands here.
    throw new RunbookLoadError(id, 'not-found', `runbook "${id}" did not come back as JSON`)
  }
  if (!isRunbookPage(page, id)) throw new RunbookLoadError(id, 'not-found', `runbook "${id}" has an unexpected shape`)
  return page
}

/** The shape of a compiled page for `id` (title, html, toc and steps present): what a stored or fetched page must have to be shown. */
export function isRunbookPage(value: unknown, id: string): value is RunbookPage {
  if (typeof value !== 'object' || value === null) return false
  const page = value as Partial<RunbookPage>
  return (
    page.id === id &&
    typeof page.title === 'string' &&
    typeof page.html === 'string' &&
    Array.isArray(page.toc) &&
    Array.isArray(page.steps)
  )
}
