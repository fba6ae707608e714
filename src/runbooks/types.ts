/**
 * Runbook shapes shared by the build pipeline (build/runbooks) and the app
 * (src/runbooks). Everything here is plain data that survives JSON.
 */
import type { RunbookParameter } from './parameters'

export type { RunbookParameter }

/** A heading of a compiled runbook; `id` is its anchor, unique within the page. */
export interface RunbookHeading {
  level: number
  id: string
  text: string
}

/**
 * A task-list item (`- [ ] …`) of a runbook. `index` counts from 0 in document
 * order and is what `log.entry` payload `runbook.step` refers to; the button in
 * the HTML carries the same number in `data-step`.
 */
export interface RunbookStep {
  index: number
  /** Stable across versions while the step's text and section stay (see stepId in compile.ts): a log entry's `runbook.stepId`. */
  id: string
  text: string
  /** Written as `- [x]` in the source: shown pressed until the responder toggles it. */
  checked: boolean
}

/** What the catalog knows about a runbook without loading it: small, no HTML. */
export interface RunbookMeta {
  id: string
  title: string
  summary: string
  tags: string[]
  /** `YYYY-MM-DD`, or null when the front matter has no valid `updated`. */
  updated: string | null
  /** The last review, `YYYY-MM-DD`: front matter `reviewed`, else `updated`; null without either (see review.ts). */
  reviewed: string | null
  /** When it must be reviewed again, `YYYY-MM-DD`: `review-by`, else 12 months after `reviewed`; null without dates. */
  reviewBy: string | null
  /** Front matter `version`, else a fingerprint of the source (8 hex digits): what a printout names. */
  version: string
  stepCount: number
  /** The server's published version number, on a runbook synced from the server; absent on the build's own. */
  published?: number
}

/** The JSON asset at `runbooks/<id>.json`: one runbook, ready to show. */
export interface RunbookPage extends RunbookMeta {
  /** Sanitised HTML (allow-list); safe for `v-html`. Does not repeat the title. */
  html: string
  /** Level 2–3 headings, in order. */
  toc: RunbookHeading[]
  steps: RunbookStep[]
  /** Declared parameters, in order; the HTML marks their uses (see parameters.ts). */
  parameters: RunbookParameter[]
}

/** The build's full result for one file; `text`, `headings` and `warnings` stay at build time. */
export interface CompiledRunbook extends RunbookPage {
  headings: RunbookHeading[]
  /** Plain text for the search index, capped (see MAX_TEXT_CHARS in compile.ts). */
  text: string
  /** Problems worth telling the author about (bad front matter, links to missing runbooks). */
  warnings: string[]
  /** Problems that stop the runbook from being published (a parameter used but not declared). */
  errors: string[]
}

/** `virtual:runbooks`: the catalog bundled into the app. */
export interface RunbookManifest {
  /** ISO time the runbooks were compiled (or SOURCE_DATE_EPOCH). */
  generatedAt: string
  /**
   * The prebuilt MiniSearch index, relative to `import.meta.env.BASE_URL`
   * (content-hashed file name), or null when there are no runbooks.
   */
  searchIndex: string | null
  runbooks: RunbookMeta[]
}

/** A search result: the catalog entry plus how well it matched. */
export interface RunbookHit extends RunbookMeta {
  score: number
  /** Indexed terms that matched, for highlighting. */
  terms: string[]
}
