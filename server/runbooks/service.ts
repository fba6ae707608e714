/**
 * The runbook rules on top of a RunbookStore (issue #16 items 1 and 3):
 * proposals, publishing (with the team's review setting), restores, staleness,
 * history and diffs. Every refusal is an ApiError with a message naming what to
 * do, and changes nothing. Versions are only ever added: there is no way here
 * to change or delete one.
 */
import { createHash } from 'node:crypto'
import { RUNBOOK_SOURCE_MAX_BYTES } from '../../src/domain/runbook-wire'
import type { RunbookCatalogue, RunbookDiff, RunbookHistory, RunbookVersion } from '../../src/domain/runbook-wire'
import { ApiError } from '../http/errors'
import type { RunbookHead, RunbookStore, RunbookVersionMeta, RunbookVersionRecord, TokenRecord } from '../store/types'
import { sectionDiff } from '../../src/runbooks/diff'
import { readRunbookSource } from './source'

/**
 * RUNBOOK_REVIEW: 'required' — a proposal must be published by someone other
 * than its author; 'self' (default) — anyone, its author included, publishes.
 */
export type RunbookReview = 'required' | 'self'

/** The author name of versions read from runbooks/ at start. */
export const REPOSITORY_AUTHOR = 'repository'

/** Who acts: the request's token (name and id). */
export type Actor = Pick<TokenRecord, 'id' | 'name' | 'readOnly'>

/** A proposal edited from an older version than the published one: publishing it would silently drop that version. */
export function isStale(version: RunbookVersionMeta, publishedVersion: number | null): boolean {
  return version.publishedAt === null && publishedVersion !== null && (version.baseVersion ?? 0) < publishedVersion
}

/** The wire form of a stored version (without the runbook id and source). */
function info(v: RunbookVersionMeta, publishedVersion: number | null) {
  return {
    version: v.version,
    title: v.title,
    reviewBy: v.reviewBy,
    author: v.author,
    at: v.at,
    note: v.note,
    baseVersion: v.baseVersion,
    status: v.publishedAt === null ? ('proposed' as const) : ('published' as const),
    publishedAt: v.publishedAt,
    publishedBy: v.publishedBy,
    stale: isStale(v, publishedVersion),
  }
}

function full(v: RunbookVersionRecord, publishedVersion: number | null): RunbookVersion {
  return { id: v.runbookId, ...info(v, publishedVersion), source: v.source }
}

/** The catalogue with its entity tag (a hash of its JSON: equal catalogues, equal tags, across restarts). */
export interface TaggedCatalogue {
  catalogue: RunbookCatalogue
  etag: string
}

export class RunbookService {
  private readonly now: () => number

  constructor(
    private readonly store: RunbookStore,
    private readonly options: { review?: RunbookReview; now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now
  }

  /** Every runbook with its published version number and review date, and the ETag of that list. */
  async catalogue(): Promise<TaggedCatalogue> {
    const heads = await this.store.listRunbooks()
    const catalogue = {
      runbooks: heads.map((h) => ({
        id: h.id,
        title: h.title,
        version: h.publishedVersion,
        reviewBy: h.reviewBy,
        latestVersion: h.latestVersion,
      })),
    }
    const etag = `"${createHash('sha256').update(JSON.stringify(catalogue)).digest('base64url').slice(0, 27)}"`
    return { catalogue, etag }
  }

  async history(id: string): Promise<RunbookHistory> {
    const head = await this.head(id)
    const versions = await this.store.runbookHistory(id)
    return {
      id,
      publishedVersion: head.publishedVersion,
      versions: versions.map((v) => info(v, head.publishedVersion)),
    }
  }

  async version(id: string, version: number): Promise<RunbookVersion> {
    const head = await this.head(id)
    return full(await this.stored(id, version), head.publishedVersion)
  }

  async diff(id: string, from: number, to: number): Promise<RunbookDiff> {
    await this.head(id)
    const [a, b] = [await this.stored(id, from), await this.stored(id, to)]
    return { id, from, to, ...sectionDiff(a.source, b.source) }
  }

  /**
   * A new runbook whose version 1 is a proposal. 409 conflict when the id is taken.
   * With a `proposalId` already stored for this id and source (the phone sent it
   * again after losing the answer), that version is answered and nothing is added.
   */
  async create(id: string, source: string, note: string, actor: Actor, proposalId?: string): Promise<RunbookVersion> {
    this.writable(actor)
    checkSize(source)
    const at = new Date(this.now()).toISOString()
    const added = await this.store.addRunbookVersion(
      {
        ...this.versionFields(id, source, note || 'Created', actor, at),
        baseVersion: null,
        publish: false,
        ...(proposalId !== undefined ? { proposalId } : {}),
      },
      'create',
    )
    if (added === 'exists')
      throw new ApiError(
        409,
        'conflict',
        `a runbook with id "${id}" already exists: propose a new version of it instead`,
      )
    if (added === 'missing') throw new Error('unreachable: create never answers missing')
    checkRepeat(added, id, source, proposalId)
    return full(added, (await this.store.runbookHead(id))?.publishedVersion ?? null)
  }

  /**
   * A proposal edited from `baseVersion` (default: the published version, or
   * the newest when none is published). Marked stale when that is older than
   * the published version; it is stored all the same, so nothing typed is lost.
   */
  async propose(
    id: string,
    source: string,
    note: string,
    baseVersion: number | undefined,
    actor: Actor,
    proposalId?: string,
  ): Promise<RunbookVersion> {
    this.writable(actor)
    checkSize(source)
    const head = await this.head(id)
    const base = baseVersion ?? head.publishedVersion ?? head.latestVersion
    if (base > head.latestVersion)
      throw new ApiError(
        400,
        'bad_request',
        `baseVersion ${base} does not exist: "${id}" has ${head.latestVersion} versions`,
      )
    const at = new Date(this.now()).toISOString()
    const added = await this.store.addRunbookVersion(
      {
        ...this.versionFields(id, source, note || 'Edited', actor, at),
        baseVersion: base,
        publish: false,
        ...(proposalId !== undefined ? { proposalId } : {}),
      },
      'append',
    )
    if (added === 'missing') throw notFound(id)
    if (added === 'exists') throw new Error('unreachable: append never answers exists')
    checkRepeat(added, id, source, proposalId)
    // A repeat may answer a version stored before another was published: staleness as it is now.
    const published = added.proposalId !== undefined ? (await this.head(id)).publishedVersion : head.publishedVersion
    return full(added, published)
  }

  /** Restoring is a new proposal with an old version's source, edited from the published version. */
  async restore(id: string, version: number, note: string | undefined, actor: Actor): Promise<RunbookVersion> {
    this.writable(actor)
    const old = await this.stored(id, version)
    return this.propose(id, old.source, note || `Restored version ${version}`, undefined, actor)
  }

  /**
   * Publishes a proposal. Refused (nothing changed): 403 forbidden for one's own
   * proposal when review is required; 409 conflict when it is already
   * published, stale, or another version was published meanwhile.
   */
  async publish(id: string, version: number, actor: Actor): Promise<RunbookVersion> {
    this.writable(actor)
    const head = await this.head(id)
    const v = await this.stored(id, version)
    if (v.publishedAt !== null)
      throw new ApiError(409, 'conflict', `version ${version} of "${id}" is already published`)
    const own = v.authorTokenId !== null && (v.authorTokenId === actor.id || v.author === actor.name)
    if (this.options.review === 'required' && own)
      throw new ApiError(
        403,
        'forbidden',
        `review is required (RUNBOOK_REVIEW=required): someone other than ${v.author} must publish version ${version}`,
      )
    if (isStale(v, head.publishedVersion))
      throw new ApiError(
        409,
        'conflict',
        `version ${version} was edited from version ${v.baseVersion ?? 'none'}, but version ${head.publishedVersion} was published since: merge the two and propose again`,
      )
    const at = new Date(this.now()).toISOString()
    const outcome = await this.store.publishRunbookVersion(id, version, actor.name, at, head.publishedVersion)
    switch (outcome) {
      case 'published':
        return this.version(id, version)
      case 'moved':
        throw new ApiError(409, 'conflict', `another version of "${id}" was published meanwhile: reload and try again`)
      case 'already':
        throw new ApiError(409, 'conflict', `version ${version} of "${id}" is already published`)
      case 'missing':
        throw new ApiError(404, 'not_found', `"${id}" has no version ${version}`)
    }
  }

  private versionFields(id: string, source: string, note: string, actor: Actor, at: string) {
    const meta = readRunbookSource(source, id, at)
    return { runbookId: id, source, ...meta, author: actor.name, authorTokenId: actor.id, at, note }
  }

  private writable(actor: Actor): void {
    if (actor.readOnly)
      throw new ApiError(403, 'read_only', 'this access token is read-only: it can read runbooks but not change them')
  }

  private async head(id: string): Promise<RunbookHead> {
    const head = await this.store.runbookHead(id)
    if (!head) throw notFound(id)
    return head
  }

  private async stored(id: string, version: number): Promise<RunbookVersionRecord> {
    const v = await this.store.runbookVersion(id, version)
    if (!v) throw new ApiError(404, 'not_found', `"${id}" has no version ${version}`)
    return v
  }
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'not_found', `no runbook "${id}"`)
}

/**
 * The store answered the version already stored under `proposalId`: it must be
 * this proposal sent again (same runbook, same source); a key used for another
 * one is refused (409 naming `proposalId`) rather than answered with what it is not.
 */
function checkRepeat(stored: RunbookVersionRecord, id: string, source: string, proposalId: string | undefined): void {
  if (proposalId === undefined || stored.proposalId !== proposalId) return
  if (stored.runbookId !== id || stored.source !== source)
    throw new ApiError(
      409,
      'conflict',
      `proposalId "${proposalId}" was already used for another proposal (version ${stored.version} of "${stored.runbookId}"): send a new proposalId`,
    )
}

/** 413 naming `source` when it is over 1 MiB of UTF-8. */
function checkSize(source: string): void {
  const bytes = Buffer.byteLength(source, 'utf8')
  if (bytes > RUNBOOK_SOURCE_MAX_BYTES)
    throw new ApiError(
      413,
      'too_large',
      `source is ${bytes} bytes; a runbook may have at most ${RUNBOOK_SOURCE_MAX_BYTES} (1 MiB)`,
    )
}
