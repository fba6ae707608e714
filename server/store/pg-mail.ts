/**
 * The email outbox (migration 7) on PostgreSQL: the MailStore part of the
 * PostgreSQL store, with sqlite-mail.ts's statements (upsert with a WHERE,
 * RETURNING). A job belongs to one node at a time (its lease, taken over only
 * once it ran out); each address is claimed by a row written before it is
 * sent, under a lock on the job's row so two claims never share a position.
 */
import type { PgRunner } from './pg-runbooks'
import type { MailJobClaim, MailRecipient, MailRecipientState, MailStore } from './types'

/** The MailStore methods on a PostgreSQL pool. */
export function pgMailStore(db: PgRunner): MailStore {
  return {
    async mailCursor() {
      return (await db.query<{ seq: number }>('SELECT seq FROM mail_cursor WHERE id = 1'))[0]?.seq ?? 0
    },
    async advanceMailCursor(seq: number) {
      await db.query(
        `INSERT INTO mail_cursor (id, seq) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > mail_cursor.seq`,
        [seq],
      )
    },
    // New job, or a job not done whose lease ran out: taken over, one attempt more.
    async claimMailJob(c: MailJobClaim) {
      const rows = await db.query(
        `INSERT INTO mail_jobs (event_id, incident_id, node, lease_until, attempts, claimed_at)
         VALUES ($1, $2, $3, $4, 1, $5)
         ON CONFLICT (event_id) DO UPDATE SET
           node = excluded.node, lease_until = excluded.lease_until,
           attempts = mail_jobs.attempts + 1, claimed_at = excluded.claimed_at
         WHERE mail_jobs.done_at IS NULL AND mail_jobs.lease_until < excluded.claimed_at
         RETURNING event_id`,
        [c.eventId, c.incidentId, c.node, c.leaseUntil, c.now],
      )
      return rows.length > 0
    },
    async renewMailJob(eventId: string, node: string, leaseUntil: number) {
      const rows = await db.query(
        'UPDATE mail_jobs SET lease_until = $1 WHERE event_id = $2 AND node = $3 AND done_at IS NULL RETURNING event_id',
        [leaseUntil, eventId, node],
      )
      return rows.length > 0
    },
    async mailJobAttempts(eventId: string) {
      return (
        (await db.query<{ attempts: number }>('SELECT attempts FROM mail_jobs WHERE event_id = $1', [eventId]))[0]
          ?.attempts ?? 0
      )
    },
    async finishMailJob(eventId: string, node: string, reportId: string) {
      await db.query('UPDATE mail_jobs SET report_id = $1, done_at = $2 WHERE event_id = $3 AND node = $4', [
        reportId,
        Date.now(),
        eventId,
        node,
      ])
    },
    async expiredMailJobs(now: number, limit: number) {
      const rows = await db.query<{ event_id: string }>(
        'SELECT event_id FROM mail_jobs WHERE done_at IS NULL AND lease_until < $1 ORDER BY lease_until LIMIT $2',
        [now, limit],
      )
      return rows.map((r) => r.event_id)
    },
    async claimMailRecipients(eventId: string, emails: readonly string[], now: number) {
      return db.transaction(async (c) => {
        // One claimer at a time per update: positions follow the order claimed.
        await c.query('SELECT 1 FROM mail_jobs WHERE event_id = $1 FOR UPDATE', [eventId])
        let position = (
          await c.query<{ n: number }>(
            'SELECT COALESCE(MAX(position), 0) AS n FROM mail_recipients WHERE event_id = $1',
            [eventId],
          )
        ).rows[0]!.n
        const claimed: string[] = []
        for (const email of emails) {
          const row = await c.query<{ email: string }>(
            `INSERT INTO mail_recipients (event_id, email, position, state, claimed_at) VALUES ($1, $2, $3, 'claimed', $4)
             ON CONFLICT (event_id, email) DO NOTHING RETURNING email`,
            [eventId, email, position + 1, now],
          )
          if (row.rows[0]) {
            position++
            claimed.push(row.rows[0].email)
          }
        }
        return claimed
      })
    },
    async finishMailRecipient(eventId, email, state, answer, now) {
      await db.query(
        `UPDATE mail_recipients SET state = $1, answer = $2, finished_at = $3
         WHERE event_id = $4 AND email = $5 AND state = 'claimed'`,
        [state, answer, now, eventId, email],
      )
    },
    async releaseMailRecipients(eventId: string, emails: readonly string[]) {
      await db.query(
        "DELETE FROM mail_recipients WHERE event_id = $1 AND email = ANY($2::text[]) AND state = 'claimed'",
        [eventId, [...emails]],
      )
    },
    async mailRecipients(eventId: string): Promise<MailRecipient[]> {
      return db.query<{ email: string; state: MailRecipientState; answer: string | null }>(
        'SELECT email, state, answer FROM mail_recipients WHERE event_id = $1 ORDER BY position',
        [eventId],
      )
    },
  }
}
