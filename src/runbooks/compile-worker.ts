/**
 * A dedicated worker compiling runbook versions synced from the server
 * (src/sync/runbook-catalogue.ts `workerCompiler`): the compiler (markdown-it,
 * sanitize-html, yaml) runs off the page's main thread, and the page's bundle
 * refers to this file only by its URL, so neither the first screen nor any
 * page chunk carries it.
 *
 * Message in: `{ n, source, id, version }`; out: `{ n, ok: true, page, text }`
 * or `{ n, ok: false, message }`.
 */
import { compileSyncedRunbook } from './compile-synced'

interface Job {
  n: number
  source: string
  id: string
  version: number
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<Job>) => void) | null
  postMessage(message: unknown): void
}

scope.onmessage = ({ data }) => {
  try {
    scope.postMessage({ n: data.n, ok: true, ...compileSyncedRunbook(data.source, data.id, data.version) })
  } catch (error) {
    scope.postMessage({ n: data.n, ok: false, message: (error as Error).message })
  }
}
