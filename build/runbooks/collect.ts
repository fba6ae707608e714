/**
 * Reads every runbook under a folder and compiles it. Never throws for a bad
 * file: the file is skipped (or built with what could be read) and a warning
 * naming it is returned, so one broken runbook cannot take the others offline.
 * A runbook with an error (a parameter used but not declared) is left out and
 * the error returned: the Vite plugin fails a production build on it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { runbookIdFromPath } from '../../src/runbooks/ids'
import type { CompiledRunbook, RunbookManifest, RunbookMeta } from '../../src/runbooks/types'
import { compileRunbook } from '../../src/runbooks/compile'

/** A runbook bigger than this is almost certainly not a runbook (a pasted log, a binary). */
export const MAX_RUNBOOK_BYTES = 1024 * 1024

export interface CollectedRunbooks {
  runbooks: CompiledRunbook[]
  /** Each names its file, relative to the folder's parent (`runbooks/switch-down.md: …`). */
  warnings: string[]
  /** Runbooks left out because they must not be published, each naming its file like `warnings`. */
  errors: string[]
  /** Every .md file seen, absolute, for the watcher. */
  files: string[]
}

export function collectRunbooks(dir: string): CollectedRunbooks {
  const files = listMarkdown(dir)
  const warnings: string[] = []
  const errors: string[] = []
  const label = (file: string) => relative(join(dir, '..'), file).split(sep).join('/')

  const ids = new Map<string, string>()
  for (const file of files) {
    const id = runbookIdFromPath(relative(dir, file))
    if (!id) warnings.push(`${label(file)}: skipped, its path cannot be a runbook id (use letters, digits, - _ .)`)
    else if (ids.has(id)) warnings.push(`${label(file)}: skipped, same id "${id}" as ${label(ids.get(id) as string)}`)
    else ids.set(id, file)
  }
  const knownIds = new Set(ids.keys())

  const runbooks: CompiledRunbook[] = []
  for (const [, file] of ids) {
    try {
      const size = statSync(file).size
      if (size > MAX_RUNBOOK_BYTES) {
        warnings.push(`${label(file)}: skipped, ${size} bytes is more than ${MAX_RUNBOOK_BYTES}`)
        continue
      }
      const source = readFileSync(file, 'utf8')
      if (source.includes('\u0000')) {
        warnings.push(`${label(file)}: skipped, it is not a text file`)
        continue
      }
      const runbook = compileRunbook(source, relative(dir, file), { knownIds })
      for (const warning of runbook.warnings) warnings.push(`${label(file)}: ${warning}`)
      for (const error of runbook.errors) errors.push(`${label(file)}: ${error}`)
      if (runbook.errors.length === 0) runbooks.push(runbook)
    } catch (error) {
      warnings.push(
        `${label(file)}: skipped, could not be compiled (${error instanceof Error ? error.message : String(error)})`,
      )
    }
  }
  runbooks.sort((a, b) => a.title.localeCompare(b.title, 'en') || a.id.localeCompare(b.id))
  return { runbooks, warnings, errors, files }
}

/** The catalog entry of a compiled runbook (no HTML, no text). */
export function toMeta(runbook: CompiledRunbook): RunbookMeta {
  const { id, title, summary, tags, updated, reviewed, reviewBy, version, stepCount } = runbook
  return { id, title, summary, tags, updated, reviewed, reviewBy, version, stepCount }
}

export function toManifest(
  runbooks: readonly CompiledRunbook[],
  searchIndex: string | null,
  generatedAt: string,
): RunbookManifest {
  return { generatedAt, searchIndex, runbooks: runbooks.map(toMeta) }
}

function listMarkdown(dir: string): string[] {
  const out: string[] = []
  const walk = (current: string) => {
    let entries
    try {
      entries = readdirSync(current, { withFileTypes: true })
    } catch {
      return // a missing folder means no runbooks, not a failed build
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue
      const path = join(current, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && /\.md$/i.test(entry.name)) out.push(path)
    }
  }
  walk(dir)
  return out.sort()
}
