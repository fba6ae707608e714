/**
 * The runbook API (docs/CONTRACT-EXTENSIONS.md, "Runbooks on the server") as
 * valibot schemas: the server validates requests and, in its tests, its own
 * answers with these; the app parses the answers with the same ones.
 *
 * A runbook is a series of versions numbered 1, 2, 3… Each version is either a
 * proposal or published; the runbook's published version is the one phones
 * read. Versions are never changed or deleted, only added and published.
 */
import * as v from 'valibot'

/** The largest Markdown source a version may have: 1 MiB of UTF-8 (bytes, not characters). */
export const RUNBOOK_SOURCE_MAX_BYTES = 1024 * 1024
/** The longest change note, in characters. */
export const RUNBOOK_NOTE_MAX = 500

/**
 * A runbook id: the file's path under runbooks/ without `.md` (src/runbooks/ids.ts),
 * letters, digits and `_ / . -`, no empty, `.` or `..` segment.
 */
export const RunbookIdSchema = v.pipe(
  v.string('id must be a string'),
  v.regex(/^[A-Za-z0-9_/.-]{1,200}$/, 'id must be 1 to 200 letters, digits or _ / . -'),
  v.check(
    (id) => id.split('/').every((s) => s !== '' && s !== '.' && s !== '..'),
    'id must not have an empty, "." or ".." segment',
  ),
)

const note = v.pipe(
  v.string('note must be a string'),
  v.trim(),
  v.maxLength(RUNBOOK_NOTE_MAX, `note must be at most ${RUNBOOK_NOTE_MAX} characters`),
)
/** The source's byte size is checked by the server (413 naming `source`), not here: valibot counts characters. */
const source = v.string('source must be a string')
const versionNumber = (name: string) =>
  v.pipe(
    v.union([v.number(), v.string()], `${name} must be a whole number`),
    v.transform((x) => (typeof x === 'string' && /^\d{1,9}$/.test(x) ? Number(x) : x)),
    v.number(`${name} must be a whole number`),
    v.integer(`${name} must be a whole number`),
    v.minValue(1, `${name} must be 1 or more`),
  )

/**
 * A proposal's idempotency key, made by the phone once per proposal and sent with
 * every attempt: the server stores one version per key and answers a repeat with it.
 * The id form of CONTRACT.md §1 (8–64 of `A-Z a-z 0-9 _ -`).
 */
export const ProposalIdSchema = v.pipe(
  v.string('proposalId must be a string'),
  v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'proposalId must be 8 to 64 letters, digits, _ or -'),
)
/** `POST /api/runbooks` body: a new runbook, its first version a proposal. */
export const RunbookCreateBodySchema = v.object(
  { id: RunbookIdSchema, source, note: v.optional(note, ''), proposalId: v.optional(ProposalIdSchema) },
  'the body must be { "id": "...", "source": "...", "note": "...", "proposalId": "..." }',
)
/** `POST /api/runbooks/:id/versions` body: a proposal edited from `baseVersion` (default: the published one). */
export const RunbookProposeBodySchema = v.object(
  {
    source,
    note: v.optional(note, ''),
    baseVersion: v.optional(versionNumber('baseVersion')),
    proposalId: v.optional(ProposalIdSchema),
  },
  'the body must be { "source": "...", "note": "...", "baseVersion": 3, "proposalId": "..." }',
)
/** `POST /api/runbooks/:id/restore` body: make `version`'s source a new proposal. */
export const RunbookRestoreBodySchema = v.object(
  { version: versionNumber('version'), note: v.optional(note) },
  'the body must be { "version": 2 }',
)
/** Route parameters `:id` (URL-encoded: `network%2Fswitch-down`) and `:version`. */
export const RunbookParamsSchema = v.object({ id: RunbookIdSchema })
export const RunbookVersionParamsSchema = v.object({ id: RunbookIdSchema, version: versionNumber('version') })
/** `GET /api/runbooks/:id/diff?from=&to=` query. */
export const RunbookDiffQuerySchema = v.object({ from: versionNumber('from'), to: versionNumber('to') })

/** One runbook in the catalogue. `version` is the published version, null until one is published. */
export const RunbookCatalogueEntrySchema = v.object({
  id: v.string(),
  title: v.string(),
  version: v.nullable(v.number()),
  /** `YYYY-MM-DD`: after this day the runbook is shown as not reviewed; null when unknown. */
  reviewBy: v.nullable(v.string()),
  /** The newest version, published or proposed: above `version` when proposals wait. */
  latestVersion: v.number(),
})
/** `GET /api/runbooks` answer (200, with an ETag; 304 on If-None-Match). */
export const RunbookCatalogueSchema = v.object({ runbooks: v.array(RunbookCatalogueEntrySchema) })

/** A version without its source, as history lists it. */
export const RunbookVersionInfoSchema = v.object({
  version: v.number(),
  title: v.string(),
  reviewBy: v.nullable(v.string()),
  /** The token's name, or "repository" for a version read from runbooks/ at start. */
  author: v.string(),
  at: v.string(),
  note: v.string(),
  /** The version this one was edited from; null for a first version. */
  baseVersion: v.nullable(v.number()),
  status: v.picklist(['proposed', 'published']),
  publishedAt: v.nullable(v.string()),
  publishedBy: v.nullable(v.string()),
  /** A proposal edited from an older version than the one published now: publishing it is refused. */
  stale: v.boolean(),
})
/** `GET /api/runbooks/:id/versions` answer (200): every version, oldest first. */
export const RunbookHistorySchema = v.object({
  id: v.string(),
  publishedVersion: v.nullable(v.number()),
  versions: v.array(RunbookVersionInfoSchema),
})
/** `GET /api/runbooks/:id/versions/:version` answer, and what propose, restore and publish answer. */
export const RunbookVersionSchema = v.object({
  id: v.string(),
  ...RunbookVersionInfoSchema.entries,
  source: v.string(),
})

const DiffLineSchema = v.object({
  op: v.picklist(['same', 'added', 'removed']),
  text: v.string(),
  /** 1-based line numbers in the `from` and `to` sources (absent on the side the line is not in). */
  fromLine: v.optional(v.number()),
  toLine: v.optional(v.number()),
})
/** `GET /api/runbooks/:id/diff` answer: the sections (by heading) that changed, each with its lines. */
export const RunbookDiffSchema = v.object({
  id: v.string(),
  from: v.number(),
  to: v.number(),
  added: v.number(),
  removed: v.number(),
  sections: v.array(v.object({ heading: v.nullable(v.string()), lines: v.array(DiffLineSchema) })),
})

export type RunbookCatalogue = v.InferOutput<typeof RunbookCatalogueSchema>
export type RunbookCatalogueEntry = v.InferOutput<typeof RunbookCatalogueEntrySchema>
export type RunbookVersionInfo = v.InferOutput<typeof RunbookVersionInfoSchema>
export type RunbookVersion = v.InferOutput<typeof RunbookVersionSchema>
export type RunbookHistory = v.InferOutput<typeof RunbookHistorySchema>
export type RunbookDiff = v.InferOutput<typeof RunbookDiffSchema>
export type RunbookDiffLine = v.InferOutput<typeof DiffLineSchema>
