/**
 * The RunbookStore part of the SQLite store (server/store/types.ts): runbooks as
 * append-only series of versions. Kept apart from sqlite.ts so the event and
 * token code stays as it was; SqliteStore delegates to it.
 */
import type Database from 'better-sqlite3'
import { StorageFaultError, storageFaultOf } from './faults'
import { HEAD_SELECT, META_COLUMNS, toHead, toMeta, type HeadRow, type VersionRow } from './rows'
import type { NewRunbookVersion, RunbookHead, RunbookStore, RunbookVersionMeta, RunbookVersionRecord } from './types'

/** Runs a write; a disk full or read-only storage becomes StorageFaultError (503 storage_full), as for events. */
function writing<T>(write: () => T): T {
  try {
    return write()
  } catch (e) {
    const reason = storageFaultOf(e)
    throw reason ? new StorageFaultError(reason, e) : e
  }
}

/** Runbook versions on an open, migrated better-sqlite3 database. */
export class SqliteRunbooks implements RunbookStore {
  private readonly list
  private readonly head
  private readonly history
  private readonly one
  private readonly latest
  private readonly byProposal
  private readonly insertRunbook
  private readonly bumpLatest
  private readonly insertVersion
  private readonly setPublished
  private readonly markPublished
  private readonly add
  private readonly publish

  constructor(db: Database.Database) {
    this.list = db.prepare<[], HeadRow>(`${HEAD_SELECT} ORDER BY r.id`)
    this.head = db.prepare<[string], HeadRow>(`${HEAD_SELECT} WHERE r.id = ?`)
    this.history = db.prepare<[string], VersionRow>(
      `SELECT ${META_COLUMNS} FROM runbook_versions WHERE runbook_id = ? ORDER BY version`,
    )
    this.one = db.prepare<[string, number], VersionRow>(
      `SELECT ${META_COLUMNS}, source FROM runbook_versions WHERE runbook_id = ? AND version = ?`,
    )
    this.latest = db.prepare<[string], { latest_version: number; published_version: number | null }>(
      'SELECT latest_version, published_version FROM runbooks WHERE id = ?',
    )
    this.byProposal = db.prepare<[string], VersionRow>(
      `SELECT ${META_COLUMNS}, source FROM runbook_versions WHERE proposal_id = ?`,
    )
    this.insertRunbook = db.prepare(
      'INSERT INTO runbooks (id, created_at, published_version, latest_version) VALUES (?, ?, NULL, 0)',
    )
    this.bumpLatest = db.prepare('UPDATE runbooks SET latest_version = ? WHERE id = ?')
    this.insertVersion = db.prepare(
      `INSERT INTO runbook_versions (runbook_id, version, source, title, review_by, author_name, author_token_id,
         created_at, note, base_version, published_at, published_by, proposal_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    this.setPublished = db.prepare('UPDATE runbooks SET published_version = ? WHERE id = ?')
    // Only a proposal (published_at NULL) is ever written to, and only once.
    this.markPublished = db.prepare(
      'UPDATE runbook_versions SET published_at = ?, published_by = ? WHERE runbook_id = ? AND version = ? AND published_at IS NULL',
    )

    this.add = db.transaction(
      (v: NewRunbookVersion, mode: 'create' | 'append'): RunbookVersionRecord | 'exists' | 'missing' => {
        // Sent again (its answer was lost): the version stored the first time.
        const repeat = v.proposalId === undefined ? undefined : this.byProposal.get(v.proposalId)
        if (repeat) return { ...toMeta(repeat), source: repeat.source ?? '' }
        const current = this.latest.get(v.runbookId)
        if (mode === 'create' && current) return 'exists'
        if (mode === 'append' && !current) return 'missing'
        if (!current) this.insertRunbook.run(v.runbookId, v.at)
        const version = (current?.latest_version ?? 0) + 1
        const publishedAt = v.publish ? v.at : null
        const publishedBy = v.publish ? v.author : null
        this.insertVersion.run(
          v.runbookId,
          version,
          v.source,
          v.title,
          v.reviewBy,
          v.author,
          v.authorTokenId,
          v.at,
          v.note,
          v.baseVersion,
          publishedAt,
          publishedBy,
          v.proposalId ?? null,
        )
        this.bumpLatest.run(version, v.runbookId)
        if (v.publish) this.setPublished.run(version, v.runbookId)
        const { publish: _publish, ...rest } = v
        return { ...rest, version, publishedAt, publishedBy }
      },
    )

    this.publish = db.transaction(
      (
        id: string,
        version: number,
        by: string,
        at: string,
        expected: number | null,
      ): 'published' | 'moved' | 'already' | 'missing' => {
        const current = this.latest.get(id)
        const stored = this.one.get(id, version)
        if (!current || !stored) return 'missing'
        if (stored.published_at !== null) return 'already'
        if (current.published_version !== expected) return 'moved'
        this.markPublished.run(at, by, id, version)
        this.setPublished.run(version, id)
        return 'published'
      },
    )
  }

  async listRunbooks(): Promise<RunbookHead[]> {
    return this.list.all().map(toHead)
  }

  async runbookHead(id: string): Promise<RunbookHead | null> {
    const row = this.head.get(id)
    return row ? toHead(row) : null
  }

  async runbookHistory(id: string): Promise<RunbookVersionMeta[]> {
    return this.history.all(id).map(toMeta)
  }

  async runbookVersion(id: string, version: number): Promise<RunbookVersionRecord | null> {
    const row = this.one.get(id, version)
    return row ? { ...toMeta(row), source: row.source ?? '' } : null
  }

  async addRunbookVersion(
    version: NewRunbookVersion,
    mode: 'create' | 'append',
  ): Promise<RunbookVersionRecord | 'exists' | 'missing'> {
    return writing(() => this.add.immediate(version, mode))
  }

  async publishRunbookVersion(
    id: string,
    version: number,
    by: string,
    at: string,
    expectedPublished: number | null,
  ): Promise<'published' | 'moved' | 'already' | 'missing'> {
    return writing(() => this.publish.immediate(id, version, by, at, expectedPublished))
  }
}
