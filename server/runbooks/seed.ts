/**
 * Seeds the server's runbooks from the repository's runbooks/ folder at start,
 * so docs-as-code teams keep working (issue #16 item 1):
 * - a runbook the server does not have yet: version 1, authored "repository", published;
 * - a file unchanged since the last repository version: nothing;
 * - a changed file, no app edit since the last repository version: a new
 *   published version authored "repository";
 * - a changed file for a runbook edited in the app since: a proposal beside
 *   the app's version (edited from the published one), never an overwrite.
 * Never throws for a bad file: it is skipped with a warning naming it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { RUNBOOK_SOURCE_MAX_BYTES } from '../../src/domain/runbook-wire'
import { runbookIdFromPath } from '../../src/runbooks/ids'
import type { RunbookStore } from '../store/types'
import { REPOSITORY_AUTHOR } from './service'
import { readRunbookSource } from './source'

export interface SeedReport {
  created: string[]
  updated: string[]
  proposed: string[]
  /** Each names its file relative to the folder. */
  warnings: string[]
}

function listMarkdown(dir: string): string[] {
  const out: string[] = []
  const walk = (current: string) => {
    let entries
    try {
      entries = readdirSync(current, { withFileTypes: true })
    } catch {
      return // no folder: nothing to seed
    }
    for (const entry of entries) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) out.push(path)
    }
  }
  walk(dir)
  return out.sort()
}

/** Reads `dir` (runbooks/) and brings the store up to it as described above. `now`: ms since the epoch. */
export async function seedRunbooks(
  store: RunbookStore,
  dir: string,
  now: () => number = Date.now,
): Promise<SeedReport> {
  const report: SeedReport = { created: [], updated: [], proposed: [], warnings: [] }
  const seen = new Set<string>()
  for (const file of listMarkdown(dir)) {
    const label = relative(dir, file).split(sep).join('/')
    const id = runbookIdFromPath(label)
    if (!id) {
      report.warnings.push(`${label}: skipped, its path cannot be a runbook id`)
      continue
    }
    if (seen.has(id)) {
      report.warnings.push(`${label}: skipped, same id "${id}" as another file`)
      continue
    }
    seen.add(id)
    let source: string
    try {
      if (statSync(file).size > RUNBOOK_SOURCE_MAX_BYTES) {
        report.warnings.push(`${label}: skipped, larger than 1 MiB`)
        continue
      }
      source = readFileSync(file, 'utf8')
    } catch (e) {
      report.warnings.push(`${label}: skipped, unreadable (${e instanceof Error ? e.message : String(e)})`)
      continue
    }
    if (source.includes('\u0000')) {
      report.warnings.push(`${label}: skipped, it is not a text file`)
      continue
    }
    const at = new Date(now()).toISOString()
    const fields = {
      runbookId: id,
      source,
      ...readRunbookSource(source, id, at),
      author: REPOSITORY_AUTHOR,
      authorTokenId: null,
      at,
    }
    const head = await store.runbookHead(id)
    if (!head) {
      const added = await store.addRunbookVersion(
        { ...fields, note: `From the repository (runbooks/${label})`, baseVersion: null, publish: true },
        'create',
      )
      if (typeof added !== 'string') report.created.push(id)
      continue
    }
    const history = await store.runbookHistory(id)
    const fromRepository = history.filter((v) => v.authorTokenId === null && v.author === REPOSITORY_AUTHOR)
    const lastRepository = fromRepository.at(-1)
    if (lastRepository && (await store.runbookVersion(id, lastRepository.version))?.source === source) continue
    const editedInApp = history.some((v) => v.authorTokenId !== null && v.version > (lastRepository?.version ?? 0))
    const base = head.publishedVersion ?? head.latestVersion
    const added = await store.addRunbookVersion(
      {
        ...fields,
        note: editedInApp
          ? `Repository change to runbooks/${label}, proposed because the runbook was edited in the app`
          : `From the repository (runbooks/${label})`,
        baseVersion: base,
        publish: !editedInApp && head.publishedVersion !== null,
      },
      'append',
    )
    if (typeof added === 'string') continue
    if (added.publishedAt) report.updated.push(id)
    else report.proposed.push(id)
  }
  return report
}
