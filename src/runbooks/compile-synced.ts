/**
 * Compiling a runbook version synced from the server, on the phone, with the
 * build's own compiler (compile.ts: markdown-it, sanitize-html, yaml). Import
 * this module dynamically: the compiler is a chunk of its own, fetched the
 * first time a published version must be compiled, never with the first screen.
 */
import { compileRunbook } from './compile'
import type { RunbookPage } from './types'

/**
 * The page the app shows for `id` at server version `version`, and its search
 * text. The id is the server's (the compiler would derive one from a file
 * name); `published` carries the version. Throws only for an id that cannot
 * be one (the server's schema already refuses those).
 */
export function compileSyncedRunbook(source: string, id: string, version: number): { page: RunbookPage; text: string } {
  const c = compileRunbook(source, `${id}.md`)
  const page: RunbookPage = {
    id,
    title: c.title,
    summary: c.summary,
    tags: c.tags,
    updated: c.updated,
    reviewed: c.reviewed,
    reviewBy: c.reviewBy,
    version: c.version,
    stepCount: c.stepCount,
    published: version,
    html: c.html,
    toc: c.toc,
    steps: c.steps,
    parameters: c.parameters,
  }
  return { page, text: c.text }
}
