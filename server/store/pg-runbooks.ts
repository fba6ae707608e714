/**
 * The RunbookStore part of the PostgreSQL store (server/store/types.ts), as
 * sqlite-runbooks.ts is SQLite's. Several servers may add or publish versions
 * of one runbook at once: each write locks the runbook's row (SELECT … FOR
 * UPDATE), so versions are numbered one after the other and the published
 * version is compared and set by one writer at a time.
 */
import type pg from 'pg'
import { HEAD_SELECT, META_COLUMNS, toHead, toMeta, type HeadRow, type VersionRow } from './rows'
import type { NewRunbookVersion, RunbookHead, RunbookStore, RunbookVersionMeta, RunbookVersionRecord } from './types'

/** How the store runs SQL: a query on the pool, and a transaction (errors already turned into store faults). */
export interface PgRunner {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>
}

/** The version stored under `v.proposalId`, on any runbook, or null (none sent, or none stored). */
async function repeatOf(c: pg.PoolClient, v: NewRunbookVersion): Promise<RunbookVersionRecord | null> {
  if (v.proposalId === undefined) return null
  const row = (
    await c.query<VersionRow>(`SELECT ${META_COLUMNS}, source FROM runbook_versions WHERE proposal_id = $1`, [
      v.proposalId,
    ])
  ).rows[0]
  return row ? { ...toMeta(row), source: row.source ?? '' } : null
}

/** Runbook versions on PostgreSQL. */
export class PgRunbooks implements RunbookStore {
  constructor(private readonly db: PgRunner) {}

  async listRunbooks(): Promise<RunbookHead[]> {
    return (await this.db.query<HeadRow>(`${HEAD_SELECT} ORDER BY r.id COLLATE "C"`)).map(toHead)
  }

  async runbookHead(id: string): Promise<RunbookHead | null> {
    const row = (await this.db.query<HeadRow>(`${HEAD_SELECT} WHERE r.id = $1`, [id]))[0]
    return row ? toHead(row) : null
  }

  async runbookHistory(id: string): Promise<RunbookVersionMeta[]> {
    return (
      await this.db.query<VersionRow>(
        `SELECT ${META_COLUMNS} FROM runbook_versions WHERE runbook_id = $1 ORDER BY version`,
        [id],
      )
    ).map(toMeta)
  }

  async runbookVersion(id: string, version: number): Promise<RunbookVersionRecord | null> {
    const row = (
      await this.db.query<VersionRow>(
        `SELECT ${META_COLUMNS}, source FROM runbook_versions WHERE runbook_id = $1 AND version = $2`,
        [id, version],
      )
    )[0]
    return row ? { ...toMeta(row), source: row.source ?? '' } : null
  }

  async addRunbookVersion(
    v: NewRunbookVersion,
    mode: 'create' | 'append',
  ): Promise<RunbookVersionRecord | 'exists' | 'missing'> {
    return this.db.transaction(async (c) => {
      let latest: number
      // Sent again (its answer was lost): the version stored the first time. Checked again
      // under the lock below, for a repeat that arrives while the first is being stored.
      const early = await repeatOf(c, v)
      if (early) return early
      if (mode === 'create') {
        // Two servers creating the same id at once: one inserts, the other finds it there.
        const made = await c.query(
          `INSERT INTO runbooks (id, created_at, published_version, latest_version) VALUES ($1, $2, NULL, 0)
           ON CONFLICT (id) DO NOTHING RETURNING id`,
          [v.runbookId, v.at],
        )
        if (made.rows.length === 0) return (await repeatOf(c, v)) ?? 'exists'
        latest = 0
      } else {
        const current = await c.query<{ latest_version: number }>(
          'SELECT latest_version FROM runbooks WHERE id = $1 FOR UPDATE',
          [v.runbookId],
        )
        if (current.rows.length === 0) return 'missing'
        const repeat = await repeatOf(c, v)
        if (repeat) return repeat
        latest = current.rows[0]!.latest_version
      }
      const version = latest + 1
      const publishedAt = v.publish ? v.at : null
      const publishedBy = v.publish ? v.author : null
      await c.query(
        `INSERT INTO runbook_versions (runbook_id, version, source, title, review_by, author_name, author_token_id,
           created_at, note, base_version, published_at, published_by, proposal_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
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
        ],
      )
      await c.query(
        `UPDATE runbooks SET latest_version = $1, published_version = CASE WHEN $3 THEN $1 ELSE published_version END
         WHERE id = $2`,
        [version, v.runbookId, v.publish],
      )
      const { publish: _publish, ...rest } = v
      return { ...rest, version, publishedAt, publishedBy }
    })
  }

  async publishRunbookVersion(
    id: string,
    version: number,
    by: string,
    at: string,
    expectedPublished: number | null,
  ): Promise<'published' | 'moved' | 'already' | 'missing'> {
    return this.db.transaction(async (c) => {
      // Locked: a second publisher waits, then finds the published version moved.
      const current = await c.query<{ published_version: number | null }>(
        'SELECT published_version FROM runbooks WHERE id = $1 FOR UPDATE',
        [id],
      )
      const stored = await c.query<{ published_at: string | null }>(
        'SELECT published_at FROM runbook_versions WHERE runbook_id = $1 AND version = $2',
        [id, version],
      )
      if (current.rows.length === 0 || stored.rows.length === 0) return 'missing'
      if (stored.rows[0]!.published_at !== null) return 'already'
      if (current.rows[0]!.published_version !== expectedPublished) return 'moved'
      await c.query(
        'UPDATE runbook_versions SET published_at = $1, published_by = $2 WHERE runbook_id = $3 AND version = $4 AND published_at IS NULL',
        [at, by, id, version],
      )
      await c.query('UPDATE runbooks SET published_version = $1 WHERE id = $2', [version, id])
      return 'published'
    })
  }
}
