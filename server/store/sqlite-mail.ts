/**
 * The email outbox's tables (migration 7) on SQLite: the MailStore half of the
 * SQLite store. Plain SQL that PostgreSQL runs as well (upsert with a WHERE,
 * RETURNING), so the other engine can copy the statements.
 */
import type Database from 'better-sqlite3'
import type { MailJobClaim, MailRecipient, MailRecipientState, MailStore } from './types'

/** The MailStore methods on an open, migrated database. */
export function sqliteMailStore(db: Database.Database): MailStore {
  const cursor = db.prepare<[], { seq: number }>('SELECT seq FROM mail_cursor WHERE id = 1')
  const advance = db.prepare<[number]>(
    `INSERT INTO mail_cursor (id, seq) VALUES (1, ?)
     ON CONFLICT (id) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > mail_cursor.seq`,
  )
  // New job, or a job not done whose lease ran out: taken over, one attempt more.
  const claimJob = db.prepare<[string, string, string, number, number], { event_id: string }>(
    `INSERT INTO mail_jobs (event_id, incident_id, node, lease_until, attempts, claimed_at)
     VALUES (?, ?, ?, ?, 1, ?)
     ON CONFLICT (event_id) DO UPDATE SET
       node = excluded.node, lease_until = excluded.lease_until,
       attempts = mail_jobs.attempts + 1, claimed_at = excluded.claimed_at
     WHERE mail_jobs.done_at IS NULL AND mail_jobs.lease_until < excluded.claimed_at
     RETURNING event_id`,
  )
  const renew = db.prepare<[number, string, string]>(
    'UPDATE mail_jobs SET lease_until = ? WHERE event_id = ? AND node = ? AND done_at IS NULL',
  )
  const attempts = db.prepare<[string], { attempts: number }>('SELECT attempts FROM mail_jobs WHERE event_id = ?')
  const finishJob = db.prepare<[string, number, string, string]>(
    'UPDATE mail_jobs SET report_id = ?, done_at = ? WHERE event_id = ? AND node = ?',
  )
  const expired = db.prepare<[number, number], { event_id: string }>(
    'SELECT event_id FROM mail_jobs WHERE done_at IS NULL AND lease_until < ? ORDER BY lease_until LIMIT ?',
  )
  const nextPosition = db.prepare<[string], { n: number }>(
    'SELECT COALESCE(MAX(position), 0) AS n FROM mail_recipients WHERE event_id = ?',
  )
  const claimRecipient = db.prepare<[string, string, number, number], { email: string }>(
    `INSERT INTO mail_recipients (event_id, email, position, state, claimed_at) VALUES (?, ?, ?, 'claimed', ?)
     ON CONFLICT (event_id, email) DO NOTHING RETURNING email`,
  )
  const finishRecipient = db.prepare<[string, string, number, string, string]>(
    `UPDATE mail_recipients SET state = ?, answer = ?, finished_at = ?
     WHERE event_id = ? AND email = ? AND state = 'claimed'`,
  )
  const release = db.prepare<[string, string]>(
    "DELETE FROM mail_recipients WHERE event_id = ? AND email = ? AND state = 'claimed'",
  )
  const recipients = db.prepare<[string], { email: string; state: MailRecipientState; answer: string | null }>(
    'SELECT email, state, answer FROM mail_recipients WHERE event_id = ? ORDER BY position',
  )

  const claimMany = db.transaction((eventId: string, emails: readonly string[], now: number): string[] => {
    let position = nextPosition.get(eventId)!.n
    const claimed: string[] = []
    for (const email of emails) {
      const row = claimRecipient.get(eventId, email, position + 1, now)
      if (row) {
        position++
        claimed.push(row.email)
      }
    }
    return claimed
  })
  const releaseMany = db.transaction((eventId: string, emails: readonly string[]) => {
    for (const email of emails) release.run(eventId, email)
  })

  return {
    async mailCursor() {
      return cursor.get()?.seq ?? 0
    },
    async advanceMailCursor(seq: number) {
      advance.run(seq)
    },
    async claimMailJob(c: MailJobClaim) {
      return claimJob.get(c.eventId, c.incidentId, c.node, c.leaseUntil, c.now) !== undefined
    },
    async renewMailJob(eventId: string, node: string, leaseUntil: number) {
      return renew.run(leaseUntil, eventId, node).changes > 0
    },
    async mailJobAttempts(eventId: string) {
      return attempts.get(eventId)?.attempts ?? 0
    },
    async finishMailJob(eventId: string, node: string, reportId: string) {
      finishJob.run(reportId, Date.now(), eventId, node)
    },
    async expiredMailJobs(now: number, limit: number) {
      return expired.all(now, limit).map((r) => r.event_id)
    },
    async claimMailRecipients(eventId: string, emails: readonly string[], now: number) {
      return claimMany(eventId, emails, now)
    },
    async finishMailRecipient(eventId, email, state, answer, now) {
      finishRecipient.run(state, answer, now, eventId, email)
    },
    async releaseMailRecipients(eventId: string, emails: readonly string[]) {
      releaseMany(eventId, emails)
    },
    async mailRecipients(eventId: string): Promise<MailRecipient[]> {
      return recipients.all(eventId)
    },
  }
}
