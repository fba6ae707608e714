/**
 * The push and status-link parts of the PostgreSQL store (migration 6), as
 * sqlite-comms.ts is SQLite's, with the same SQL where it can be: the VAPID
 * keys and each notice's claim are insert-if-absent in one statement, so with
 * several servers on the database every node signs with the same keys and
 * exactly one sends each notice.
 */
import type { PgRunner } from './pg-runbooks'
import { LINK_COLUMNS, toLink, toSubscription, type LinkRow, type SubscriptionRow } from './rows'
import type { PushSubscriptionRecord, StatusLinkRecord, VapidKeys } from './types'

/** Push subscriptions, notice claims, VAPID keys and status links on PostgreSQL. */
export class PgComms {
  constructor(private readonly db: PgRunner) {}

  async ensureVapidKeys(candidate: VapidKeys): Promise<VapidKeys> {
    await this.db.query("INSERT INTO meta (key, value) VALUES ('vapid_keys', $1) ON CONFLICT (key) DO NOTHING", [
      JSON.stringify({ publicKey: candidate.publicKey, privateKey: candidate.privateKey }),
    ])
    const rows = await this.db.query<{ value: string }>("SELECT value FROM meta WHERE key = 'vapid_keys'")
    return JSON.parse(rows[0]!.value) as VapidKeys
  }

  async savePushSubscription(sub: PushSubscriptionRecord, at: string): Promise<void> {
    const { endpoint, tokenId, p256dh, auth, person, topics } = sub
    await this.db.query(
      `INSERT INTO push_subscriptions (endpoint, token_id, p256dh, auth, person_id, person_name, topics, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (endpoint) DO UPDATE SET token_id = excluded.token_id, p256dh = excluded.p256dh, auth = excluded.auth,
         person_id = excluded.person_id, person_name = excluded.person_name, topics = excluded.topics,
         updated_at = excluded.updated_at`,
      [endpoint, tokenId, p256dh, auth, person.id ?? null, person.name, topics.join(' '), at],
    )
  }

  async deletePushSubscription(endpoint: string, tokenId?: number): Promise<boolean> {
    const rows =
      tokenId === undefined
        ? await this.db.query('DELETE FROM push_subscriptions WHERE endpoint = $1 RETURNING endpoint', [endpoint])
        : await this.db.query(
            'DELETE FROM push_subscriptions WHERE endpoint = $1 AND token_id = $2 RETURNING endpoint',
            [endpoint, tokenId],
          )
    return rows.length > 0
  }

  async listPushSubscriptions(): Promise<PushSubscriptionRecord[]> {
    const rows = await this.db.query<SubscriptionRow>(
      `SELECT s.endpoint, s.token_id, s.p256dh, s.auth, s.person_id, s.person_name, s.topics
       FROM push_subscriptions s JOIN tokens t ON t.id = s.token_id
       WHERE t.revoked_at IS NULL ORDER BY s.created_at COLLATE "C", s.endpoint COLLATE "C"`,
    )
    return rows.map(toSubscription)
  }

  async deletePushSubscriptionsOfRevokedTokens(): Promise<number> {
    const rows = await this.db.query(
      'DELETE FROM push_subscriptions WHERE token_id IN (SELECT id FROM tokens WHERE revoked_at IS NOT NULL) RETURNING endpoint',
    )
    return rows.length
  }

  /** One statement: of several nodes claiming the same key at once, exactly one gets its row in. */
  async claimPushNotice(key: string, at: string): Promise<boolean> {
    const rows = await this.db.query(
      'INSERT INTO push_claims (key, claimed_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key',
      [key, at],
    )
    return rows.length === 1
  }

  async forgetPushClaims(before: string): Promise<number> {
    return (await this.db.query('DELETE FROM push_claims WHERE claimed_at < $1 RETURNING key', [before])).length
  }

  async insertStatusLink(link: {
    incidentId: string | null
    hash: Buffer
    createdAt: string
    createdBy: string
    tokenId: number | null
  }): Promise<StatusLinkRecord> {
    const rows = await this.db.query<LinkRow>(
      `INSERT INTO status_links (incident_id, hash, created_at, created_by, token_id) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${LINK_COLUMNS}`,
      [link.incidentId, link.hash, link.createdAt, link.createdBy, link.tokenId],
    )
    return toLink(rows[0]!)
  }

  async findStatusLink(hash: Buffer): Promise<StatusLinkRecord | null> {
    const row = (await this.db.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM status_links WHERE hash = $1`, [hash]))[0]
    return row ? toLink(row) : null
  }

  async statusLinkById(id: number): Promise<StatusLinkRecord | null> {
    const row = (await this.db.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM status_links WHERE id = $1`, [id]))[0]
    return row ? toLink(row) : null
  }

  async listStatusLinks(incidentId: string | null): Promise<StatusLinkRecord[]> {
    const rows =
      incidentId === null
        ? await this.db.query<LinkRow>(
            `SELECT ${LINK_COLUMNS} FROM status_links WHERE incident_id IS NULL ORDER BY id DESC`,
          )
        : await this.db.query<LinkRow>(
            `SELECT ${LINK_COLUMNS} FROM status_links WHERE incident_id = $1 ORDER BY id DESC`,
            [incidentId],
          )
    return rows.map(toLink)
  }

  async revokeStatusLink(id: number, at: string): Promise<boolean> {
    const rows = await this.db.query(
      'UPDATE status_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING id',
      [at, id],
    )
    return rows.length > 0
  }
}
