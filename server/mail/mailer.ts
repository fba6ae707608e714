/**
 * Emails each update posted to a directory audience, from the server, at most
 * once per update and recipient, and reports back onto the incident.
 *
 * How it finds work: a cursor over the event log (kept in the database, shared
 * by every server process on it) is read after each push this process stores
 * and every `pollMs`, so updates stored by another process are found too.
 * Each update with an `audienceId` becomes a job, leased to one process; a job
 * whose lease ran out (its process stopped, or a retry is due) is taken over.
 *
 * At most once: every address is claimed by a database row, committed in its
 * own transaction just before its message is sent. A row stays claimed until the SMTP
 * server's answer is recorded; a process that stops mid-send leaves it claimed,
 * and whoever finishes the job reports it as "delivery unknown", never sending
 * it again. Only when the SMTP server was not reached at all (no connection, no
 * greeting, login refused, a temporary 4xx answer) are the claims of the
 * addresses not yet handed over dropped, and the job retried later.
 *
 * Never in the way of a push: all of this runs after the push has been answered,
 * outside the request; a refusing or silent SMTP server delays only the report.
 */
import { createHash } from 'node:crypto'
import { DIRECTORY_ID, foldDirectory, recipientsOf } from '../../src/domain/directory'
import { validateEvent, type EventOf, type PayloadOf } from '../../src/domain/events'
import { foldIncident } from '../../src/domain/fold'
import { formatHlc, parseHlc } from '../../src/domain/hlc'
import { newId } from '../../src/domain/ids'
import { DIRECTORY_LIMITS } from '../../src/domain/directory-vocabulary'
import { canonicalJson } from '../events/canonical'
import { FOLLOW_PAGE, type LogReader } from '../events/shared-reads'
import type { EventStore, IncidentReader, MailStore, SequencedEvent } from '../store/types'
import { composeUpdateMail, type MailIncident } from './compose'
import { realClock, SendRate, type RateClock } from './rate'
import { classifySendError, describeSendError, type MailTransport } from './transport'

/** Email settings (server/config.ts reads them from the environment). */
export interface MailSettings {
  /** `SMTP_URL`; without it nothing is sent and each update is reported "email is not set up". */
  smtpUrl?: string
  /** `MAIL_FROM`: `Lincoln USD Incidents <incidents@lincoln.k12.example>`. */
  from: string
  /** `MAIL_RATE_PER_MINUTE`: the relay's limit, messages per minute. */
  perMinute: number
  /** `MAIL_BATCH_SIZE`: messages sent back to back before the rate applies (its burst); the lease is renewed per batch. */
  batchSize: number
  /** `MAIL_TIMEOUT_MS`: connection and greeting timeouts; a conversation may be idle twice as long. */
  timeoutMs: number
  /** `MAIL_MAX_ATTEMPTS`: tries while the SMTP server cannot be reached, then the rest is reported failed. */
  maxAttempts: number
  /** `MAIL_LEASE_MS`: how long a job stays one process's without news from it. */
  leaseMs: number
  /** `MAIL_POLL_MS`: how often the log is read for updates other processes stored. */
  pollMs: number
  /** `MAIL_TIME_ZONE`: IANA zone for times in the emails. */
  timeZone: string
  /** `MAIL_STATUS_URL`: the status page link, `{incident}` replaced by the incident id; none when absent. */
  statusUrl?: string
}

export const DEFAULT_MAIL_SETTINGS: MailSettings = {
  from: 'Command Post <command-post@localhost>',
  perMinute: 60,
  batchSize: 20,
  timeoutMs: 30_000,
  maxAttempts: 5,
  leaseMs: 5 * 60_000,
  pollMs: 5_000,
  timeZone: 'UTC',
}

/** The actor of events the server writes itself. */
export const SERVER_ACTOR = { id: 'server', name: 'Command Post server' } as const

export interface MailerOptions {
  store: EventStore & IncidentReader & MailStore
  settings: MailSettings
  /** null: email is not set up (no SMTP_URL). */
  transport: MailTransport | null
  /** Tells streams that the log grew (the report was stored). */
  publish: (lastSeq: number) => void
  /** Clock and waits of the send rate and the leases; tests pass a fake one. */
  clock?: RateClock
  /** This process's name in the leases; random by default. */
  node?: string
  /** Problems that are not an update's (a database error): the server's log. */
  onError?: (err: unknown) => void
  /** Where it reads the log: the node's SharedReads (one read per push for all its followers); default the store. */
  log?: LogReader
  /** The status page link of an incident, when the status page feature provides one; else `settings.statusUrl`. */
  statusLink?: (incidentId: string) => Promise<string | undefined>
}

type Update = EventOf<'update.posted'> & { seq: number }

/**
 * Events the cursor may move in memory before it is written again. Writing it is a durable write (an
 * fsync on SQLite) that every push paid once more beside its own; a restart reads at most this many
 * events again, and finds their jobs already claimed (a claim is refused while its lease runs or once done).
 */
const CURSOR_WRITE_EVERY = 5_000

/** The retry delay after the n-th unreached attempt: 1, 2, 4, 8 … min, at most 30 min. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30 * 60_000, 60_000 * 2 ** Math.max(0, attempt - 1))
}

export class Mailer {
  private readonly store: EventStore & IncidentReader & MailStore
  private readonly settings: MailSettings
  private readonly clock: RateClock
  private readonly rate: SendRate
  readonly node: string
  private readonly running = new Set<Promise<void>>()
  private scanning: Promise<void> | null = null
  /** The scan asked for while one runs (see scan): none, one reading on, or a full one. */
  private asked: 'none' | 'follow' | 'full' = 'none'
  /** Where this process has read the log to; the stored cursor may be behind it (CURSOR_WRITE_EVERY). */
  private cursor = 0
  /** The cursor this process last stored. */
  private storedCursor = 0
  private timer: ReturnType<typeof setInterval> | null = null
  private closed = false
  /** Aborted by close(): a wait for the send rate ends at once. */
  private readonly stopping = new AbortController()

  constructor(private readonly options: MailerOptions) {
    this.store = options.store
    this.settings = options.settings
    this.clock = options.clock ?? realClock
    this.rate = new SendRate(this.settings.perMinute, this.settings.batchSize, this.clock)
    this.node = options.node ?? `node-${newId()}`
  }

  /** Whether updates are emailed (SMTP_URL is set). */
  get enabled(): boolean {
    return this.options.transport !== null
  }

  /** Looks for work now and every `pollMs`. */
  start(): void {
    this.wake(true)
    this.timer = setInterval(() => this.wake(true), this.settings.pollMs)
    this.timer.unref?.()
  }

  /**
   * The log grew (a push was stored): look for new updates, without waiting. `full`: also learn how far
   * other nodes read (the stored cursor) and take over expired jobs, as every poll does; a growth only
   * reads on from where this node is, so a push costs the database no query of the mailer's own.
   */
  wake(full = false): void {
    if (this.closed) return
    this.scan(full).catch((err: unknown) => this.options.onError?.(err))
  }

  /**
   * Reads the log from the cursor and starts a job for each update to an
   * audience; `full` (the default), first reads the stored cursor (another
   * node may have read further) and afterwards takes over expired jobs. One
   * scan at a time; a wake during a scan runs one more after it (full if any
   * wake asked for it). Resolves when the jobs are claimed, not sent.
   */
  scan(full = true): Promise<void> {
    this.asked = full || this.asked === 'full' ? 'full' : 'follow'
    if (this.scanning) return this.scanning
    this.scanning = (async () => {
      try {
        do {
          const whole = this.asked === 'full'
          this.asked = 'none'
          await this.scanOnce(whole)
        } while (this.asked !== 'none' && !this.closed)
      } finally {
        this.scanning = null
      }
    })()
    return this.scanning
  }

  /** Resolves when every job started so far has finished or stopped (tests). */
  async idle(): Promise<void> {
    while (this.scanning || this.running.size) {
      if (this.scanning) await this.scanning
      await Promise.all([...this.running])
    }
  }

  /**
   * Stops looking for work; each job stops after the message in hand (a wait
   * for the send rate ends at once) and is taken up again at the next start.
   */
  async close(): Promise<void> {
    this.closed = true
    this.stopping.abort()
    if (this.timer) clearInterval(this.timer)
    await this.idle()
    // Not stored: the next start reads those events again and finds their jobs claimed.
    await this.storeCursor().catch((err: unknown) => this.options.onError?.(err))
    this.options.transport?.close()
  }

  /** Stores the cursor read to, when it moved since it was last stored. */
  private async storeCursor(): Promise<void> {
    if (this.cursor <= this.storedCursor) return
    const cursor = this.cursor
    await this.store.advanceMailCursor(cursor)
    this.storedCursor = cursor
  }

  private async scanOnce(full: boolean): Promise<void> {
    // Another process may have stored a cursor further on (it read those events and claimed their jobs).
    let cursor = full ? Math.max(this.cursor, await this.store.mailCursor()) : this.cursor
    for (;;) {
      const page = await (this.options.log ?? this.store).readEventsAfter(cursor, FOLLOW_PAGE)
      for (const e of page.events) {
        if (e.type === 'update.posted' && e.payload.audienceId) await this.claimAndRun(e)
      }
      if (!page.events.length) break
      cursor = page.events.at(-1)!.seq
      // Claimed jobs are in the database: past here, a stop loses none of them.
      this.cursor = cursor
      if (cursor - this.storedCursor >= CURSOR_WRITE_EVERY) await this.storeCursor()
      if (!page.more || this.closed) break
    }
    if (!full) return
    const now = this.clock.now()
    for (const id of await this.store.expiredMailJobs(now, 100)) {
      const e = await this.store.eventById(id)
      if (e && e.type === 'update.posted' && e.payload.audienceId) await this.claimAndRun(e)
    }
  }

  private async claimAndRun(update: Update): Promise<void> {
    if (this.closed) return
    const now = this.clock.now()
    const mine = await this.store.claimMailJob({
      eventId: update.id,
      incidentId: update.incidentId,
      node: this.node,
      now,
      leaseUntil: now + this.settings.leaseMs,
    })
    if (!mine) return
    const job = this.run(update)
      .catch((err: unknown) => this.options.onError?.(err))
      .finally(() => this.running.delete(job))
    this.running.add(job)
  }

  /** One job: send what is left to send, then report; or postpone when the SMTP server cannot be reached. */
  private async run(update: Update): Promise<void> {
    const audienceId = update.payload.audienceId!
    const transport = this.options.transport
    const directory = foldDirectory(await this.store.readIncidentEvents(DIRECTORY_ID))
    const audience = directory.audiences.get(audienceId)
    const name = audience?.name || update.payload.audience || ''
    if (!transport) return this.report(update, { outcome: 'not_set_up', audience: name })
    const recipients = audience && !audience.removed ? recipientsOf(audience) : []
    if (!recipients.length) return this.report(update, { outcome: 'no_audience', audience: name })

    const incident = this.incidentOf(await this.store.readIncidentEvents(update.incidentId))
    const statusUrl = await this.statusUrl(update.incidentId)
    const recorded = new Set((await this.store.mailRecipients(update.id)).map((r) => r.email))
    const todo = recipients.filter((r) => !recorded.has(r.email))

    for (let i = 0; i < todo.length; i++) {
      const r = todo[i]!
      // Stopping: nothing of this address was claimed; the job is taken up again at once by the next start.
      if (!(await this.rate.take(this.stopping.signal))) return this.pause(update.id, 0)
      // Taken over by another process (this one was too slow): it finishes and reports; stop here.
      if (i % this.settings.batchSize === 0)
        if (!(await this.store.renewMailJob(update.id, this.node, this.clock.now() + this.settings.leaseMs))) return
      // The claim is committed before the message leaves: a stop from here on makes it "delivery unknown".
      const claimed = await this.store.claimMailRecipients(update.id, [r.email], this.clock.now())
      if (!claimed.length) continue
      const mail = composeUpdateMail({
        update,
        incident,
        audience: name,
        recipient: r,
        statusUrl,
        timeZone: this.settings.timeZone,
      })
      try {
        const answer = await transport.send({
          from: this.settings.from,
          to: r.email,
          ...mail,
          messageId: `<${update.id}.${createHash('sha256').update(r.email).digest('hex').slice(0, 16)}@command-post>`,
        })
        await this.store.finishMailRecipient(update.id, r.email, 'sent', answer.slice(0, 500), this.clock.now())
      } catch (err) {
        const kind = classifySendError(err)
        const answer = describeSendError(err)
        if (kind === 'failed') {
          await this.store.finishMailRecipient(update.id, r.email, 'failed', answer, this.clock.now())
        } else if (kind === 'unreached') {
          const attempts = await this.store.mailJobAttempts(update.id)
          if (attempts < this.settings.maxAttempts) {
            // Not handed over: this address may go at the next attempt, with the rest.
            await this.store.releaseMailRecipients(update.id, [r.email])
            return this.pause(update.id, retryDelayMs(attempts))
          }
          await this.store.finishMailRecipient(update.id, r.email, 'failed', answer, this.clock.now())
        }
        // unknown: stays claimed, reported as "delivery unknown", never sent again.
      }
    }
    await this.report(update, { outcome: 'sent', audience: name })
  }

  /** Gives the job back until `delayMs` from now: the scan after that takes it over (any process). */
  private async pause(eventId: string, delayMs: number): Promise<void> {
    await this.store.renewMailJob(eventId, this.node, this.clock.now() + delayMs)
  }

  private incidentOf(events: readonly SequencedEvent[]): MailIncident | null {
    const state = foldIncident(events)
    return state ? { id: state.id, title: state.title, severity: state.severity, status: state.status } : null
  }

  private async statusUrl(incidentId: string): Promise<string | undefined> {
    if (this.options.statusLink) return this.options.statusLink(incidentId)
    return this.settings.statusUrl?.replaceAll('{incident}', encodeURIComponent(incidentId))
  }

  /** Writes `update.emailed` onto the incident and marks the job done. */
  private async report(
    update: Update,
    { outcome, audience }: Pick<PayloadOf<'update.emailed'>, 'outcome' | 'audience'>,
  ): Promise<void> {
    const rows = outcome === 'sent' ? await this.store.mailRecipients(update.id) : []
    const failed = rows.filter((r) => r.state === 'failed')
    const unknown = rows.filter((r) => r.state === 'claimed').map((r) => r.email)
    const max = DIRECTORY_LIMITS.reportedFailures
    const payload: PayloadOf<'update.emailed'> = {
      updateId: update.id,
      audienceId: update.payload.audienceId!,
      audience: audience.slice(0, 80),
      outcome,
      total: rows.length,
      sent: rows.filter((r) => r.state === 'sent').length,
      failed: failed.slice(0, max).map((r) => ({ email: r.email, answer: r.answer ?? '' })),
      unknown: unknown.slice(0, max),
      ...(failed.length > max && { moreFailed: failed.length - max }),
    }
    const now = this.clock.now()
    const event = validateEvent({
      id: newId(now),
      incidentId: update.incidentId,
      type: 'update.emailed',
      at: new Date(now).toISOString(),
      hlc: after(update.hlc, now),
      actor: { ...SERVER_ACTOR },
      payload,
    })
    if (!event.ok) throw new Error(`delivery report refused: ${event.reason}`)
    const e = event.value
    const { outcomes, lastSeq } = await this.store.appendEvents([
      { id: e.id, incidentId: e.incidentId, type: e.type, hlc: e.hlc, body: canonicalJson(e) },
    ])
    if (outcomes[0] === 'accepted') this.options.publish(lastSeq)
    await this.store.finishMailJob(update.id, this.node, e.id)
  }
}

/** A server stamp that sorts after `hlc`: the server's time, or `hlc`'s time one count later. */
function after(hlc: string, now: number): string {
  const t = parseHlc(hlc)
  if (!t || now > t.ms) return formatHlc({ ms: now, counter: 0, node: SERVER_ACTOR.id })
  return t.counter >= 99_999
    ? formatHlc({ ms: t.ms + 1, counter: 0, node: SERVER_ACTOR.id })
    : formatHlc({ ms: t.ms, counter: t.counter + 1, node: SERVER_ACTOR.id })
}
