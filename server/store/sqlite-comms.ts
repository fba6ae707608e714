/**
 * The SQLite statements of the push and status-link parts of the Store
 * (migration 6), kept out of sqlite.ts so that file stays about events and
 * tokens. SqliteStore delegates to this class. The SQL is plain (INSERT … ON
 * CONFLICT DO NOTHING, no SQLite-only functions) so another engine can follow it.
 */
import type Database from 'better-sqlite3'
import { LINK_COLUMNS, toLink, toSubscription, type LinkRow, type SubscriptionRow } from './rows'
import type { PushSubscriptionRecord, StatusLinkRecord, VapidKeys } from './types'

/** Push subscriptions, notice claims, VAPID keys and status links on one open, migrated database. */
export class SqliteComms {
  private readonly vapidInsert
  private readonly vapidRead
  private readonly upsert
  private readonly deleteAny
  private readonly deleteOwn
  private readonly listActive
  private readonly deleteRevoked
  private readonly claim
  private readonly forget
  private readonly insertLink
  private readonly linkByHash
  private readonly linkById
  private readonly linksOf
  private readonly teamLinks
  private readonly revokeLink

  constructor(db: Database.Database) {
    this.vapidInsert = db.prepare<[string]>(
      "INSERT INTO meta (key, value) VALUES ('vapid_keys', ?) ON CONFLICT (key) DO NOTHING",
    )
    this.vapidRead = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'vapid_keys'")
    this.upsert = db.prepare<[string, number, string, string, string | null, string, string, string, string]>(
      `INSERT INTO push_subscriptions (endpoint, token_id, p256dh, auth, person_id, person_name, topics, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET token_id = excluded.token_id, p256dh = excluded.p256dh, auth = excluded.auth,
         person_id = excluded.person_id, person_name = excluded.person_name, topics = excluded.topics,
         updated_at = excluded.updated_at`,
    )
    this.deleteAny = db.prepare<[string]>('DELETE FROM push_subscriptions WHERE endpoint = ?')
    this.deleteOwn = db.prepare<[string, number]>('DELETE FROM push_subscriptions WHERE endpoint = ? AND token_id = ?')
    this.listActive = db.prepare<[], SubscriptionRow>(
      `SELECT s.endpoint, s.token_id, s.p256dh, s.auth, s.person_id, s.person_name, s.topics
       FROM push_subscriptions s JOIN tokens t ON t.id = s.token_id
       WHERE t.revoked_at IS NULL ORDER BY s.created_at, s.endpoint`,
    )
    this.deleteRevoked = db.prepare(
      'DELETE FROM push_subscriptions WHERE token_id IN (SELECT id FROM tokens WHERE revoked_at IS NOT NULL)',
    )
    this.claim = db.prepare<[string, string]>(
      'INSERT INTO push_claims (key, claimed_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
    )
    this.forget = db.prepare<[string]>('DELETE FROM push_claims WHERE claimed_at < ?')
    this.insertLink = db.prepare<[string | null, Buffer, string, string, number | null], LinkRow>(
      `INSERT INTO status_links (incident_id, hash, created_at, created_by, token_id) VALUES (?, ?, ?, ?, ?)
       RETURNING ${LINK_COLUMNS}`,
    )
    this.linkByHash = db.prepare<[Buffer], LinkRow>(`SELECT ${LINK_COLUMNS} FROM status_links WHERE hash = ?`)
    this.linkById = db.prepare<[number], LinkRow>(`SELECT ${LINK_COLUMNS} FROM status_links WHERE id = ?`)
    this.linksOf = db.prepare<[string], LinkRow>(
      `SELECT ${LINK_COLUMNS} FROM status_links WHERE incident_id = ? ORDER BY id DESC`,
    )
    this.teamLinks = db.prepare<[], LinkRow>(
      `SELECT ${LINK_COLUMNS} FROM status_links WHERE incident_id IS NULL ORDER BY id DESC`,
    )
    this.revokeLink = db.prepare<[string, number]>(
      'UPDATE status_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    )
  }

  ensureVapidKeys(candidate: VapidKeys): VapidKeys {
    this.vapidInsert.run(JSON.stringify({ publicKey: candidate.publicKey, privateKey: candidate.privateKey }))
    return JSON.parse(this.vapidRead.get()!.value) as VapidKeys
  }

  savePushSubscription(sub: PushSubscriptionRecord, at: string): void {
    const { endpoint, tokenId, p256dh, auth, person, topics } = sub
    this.upsert.run(endpoint, tokenId, p256dh, auth, person.id ?? null, person.name, topics.join(' '), at, at)
  }

  deletePushSubscription(endpoint: string, tokenId?: number): boolean {
    const result = tokenId === undefined ? this.deleteAny.run(endpoint) : this.deleteOwn.run(endpoint, tokenId)
    return result.changes > 0
  }

  listPushSubscriptions(): PushSubscriptionRecord[] {
    return this.listActive.all().map(toSubscription)
  }

  deletePushSubscriptionsOfRevokedTokens(): number {
    return this.deleteRevoked.run().changes
  }

  claimPushNotice(key: string, at: string): boolean {
    return this.claim.run(key, at).changes === 1
  }

  forgetPushClaims(before: string): number {
    return this.forget.run(before).changes
  }

  insertStatusLink(link: {
    incidentId: string | null
    hash: Buffer
    createdAt: string
    createdBy: string
    tokenId: number | null
  }): StatusLinkRecord {
    return toLink(this.insertLink.get(link.incidentId, link.hash, link.createdAt, link.createdBy, link.tokenId)!)
  }

  findStatusLink(hash: Buffer): StatusLinkRecord | null {
    const row = this.linkByHash.get(hash)
    return row ? toLink(row) : null
  }

  statusLinkById(id: number): StatusLinkRecord | null {
    const row = this.linkById.get(id)
    return row ? toLink(row) : null
  }

  listStatusLinks(incidentId: string | null): StatusLinkRecord[] {
    return (incidentId === null ? this.teamLinks.all() : this.linksOf.all(incidentId)).map(toLink)
  }

  revokeStatusLink(id: number, at: string): boolean {
    return this.revokeLink.run(at, id).changes > 0
  }
}
