/**
 * Rows as both engines return them (the same tables and columns, migrations
 * 1–9) and what the Store gives out: one mapping per record, shared by the
 * SQLite and PostgreSQL stores so the two cannot drift apart.
 */
import type { IncidentEvent, ReceivedFrom } from '../../src/domain/events'
import { PUSH_TOPICS, type PushTopic } from '../../src/domain/push'
import type { PushSubscriptionRecord, RunbookHead, RunbookVersionMeta, SequencedEvent, StatusLinkRecord } from './types'

/** The columns every event read selects. */
export const EVENT_COLUMNS = 'seq, body, sender_token_id, sender_name'

export interface EventRow {
  seq: number
  body: string
  sender_token_id: number | null
  sender_name: string | null
}

/** The stored body with the server's own fields: `seq`, and `receivedFrom` when the sender was recorded. */
export function toSequenced(row: EventRow): SequencedEvent {
  const sender =
    row.sender_token_id !== null && row.sender_name !== null
      ? { tokenId: row.sender_token_id, name: row.sender_name }
      : undefined
  return withServerFields(JSON.parse(row.body) as IncidentEvent, row.seq, sender)
}

/**
 * An event as every read of the log hands it out: its body's data, then `seq`, then `receivedFrom` when
 * the sender is known. `event` must be new and ours (parsed, or canonicalCopy): the fields are added to it
 * rather than copied into another (every read goes through here: pulls, the projection, the mailer).
 * `sender` ({ tokenId, name } and nothing else) is kept as it is: whoever gets the event may not change it.
 */
export function withServerFields(event: IncidentEvent, seq: number, sender?: ReceivedFrom): SequencedEvent {
  const read = event as SequencedEvent
  read.seq = seq
  if (sender) read.receivedFrom = sender
  return read
}

export interface VersionRow {
  runbook_id: string
  version: number
  source?: string
  title: string
  review_by: string | null
  author_name: string
  author_token_id: number | null
  created_at: string
  note: string
  base_version: number | null
  published_at: string | null
  published_by: string | null
  proposal_id: string | null
}

export interface HeadRow {
  id: string
  title: string
  review_by: string | null
  published_version: number | null
  latest_version: number
}

export const META_COLUMNS =
  'runbook_id, version, title, review_by, author_name, author_token_id, created_at, note, base_version, published_at, published_by, proposal_id'

export const toMeta = (row: VersionRow): RunbookVersionMeta => ({
  runbookId: row.runbook_id,
  version: row.version,
  title: row.title,
  reviewBy: row.review_by,
  author: row.author_name,
  authorTokenId: row.author_token_id,
  at: row.created_at,
  note: row.note,
  baseVersion: row.base_version,
  publishedAt: row.published_at,
  publishedBy: row.published_by,
  ...(row.proposal_id !== null && row.proposal_id !== undefined ? { proposalId: row.proposal_id } : {}),
})

export const toHead = (row: HeadRow): RunbookHead => ({
  id: row.id,
  title: row.title,
  reviewBy: row.review_by,
  publishedVersion: row.published_version,
  latestVersion: row.latest_version,
})

// The title and review date shown are the published version's, or the newest's before any is published.
// Ids in code-point order on both engines.
export const HEAD_SELECT = `
  SELECT r.id, v.title, v.review_by, r.published_version, r.latest_version
  FROM runbooks r
  JOIN runbook_versions v ON v.runbook_id = r.id AND v.version = COALESCE(r.published_version, r.latest_version)`

export interface SubscriptionRow {
  endpoint: string
  token_id: number
  p256dh: string
  auth: string
  person_id: string | null
  person_name: string
  topics: string
}

export interface LinkRow {
  id: number
  incident_id: string | null
  created_at: string
  created_by: string
  token_id: number | null
  revoked_at: string | null
}

export const LINK_COLUMNS = 'id, incident_id, created_at, created_by, token_id, revoked_at'

export const toLink = (r: LinkRow): StatusLinkRecord => ({
  id: r.id,
  incidentId: r.incident_id,
  createdAt: r.created_at,
  createdBy: r.created_by,
  tokenId: r.token_id,
  revokedAt: r.revoked_at,
})

/** Topics as stored (space-separated); names this version does not know are dropped. */
export function readTopics(stored: string): PushTopic[] {
  const names = new Set(stored.split(' '))
  return PUSH_TOPICS.filter((t) => names.has(t))
}

export const toSubscription = (r: SubscriptionRow): PushSubscriptionRecord => ({
  endpoint: r.endpoint,
  tokenId: r.token_id,
  p256dh: r.p256dh,
  auth: r.auth,
  person: r.person_id === null ? { name: r.person_name } : { id: r.person_id, name: r.person_name },
  topics: readTopics(r.topics),
})
